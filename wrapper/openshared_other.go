//go:build !windows

package wrapper

import "os"

// openShared opens path for reading; on Unix a reader never blocks the
// writer's rotation (rename works on open files).
func openShared(path string) (*os.File, error) { return os.Open(path) }
