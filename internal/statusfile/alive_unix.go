//go:build unix

package statusfile

import (
	"errors"
	"syscall"
)

// ProcessAlive reports whether pid names a live process: signal 0 checks
// existence (EPERM means it exists but belongs to someone else).
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
