//go:build !windows

package supervisor

// underWine is false: Wine runs Windows programs only.
func underWine() bool { return false }
