//go:build !unix

package supervisor

import "os"

// readableBy has nothing to check: Account is Unix-only.
func readableBy(*os.File, *Account) error { return nil }
