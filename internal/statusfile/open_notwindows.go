//go:build !windows

package statusfile

import "os"

// OpenShared opens path for reading; on Unix a reader never blocks the
// writer's rotation (rename works on open files).
func OpenShared(path string) (*os.File, error) { return os.Open(path) }
