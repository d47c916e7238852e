//go:build !linux

package statusfile

import "os"

// swapIn puts the file tmp at path by renaming it over path, which replaces
// a link there, never its target. (Linux exchanges the names instead: see
// swap_linux.go.)
func swapIn(tmp, path string) error { return os.Rename(tmp, path) }
