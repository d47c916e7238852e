//go:build unix

package statusfile

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// processAlive reports whether pid names a live process: signal 0 checks
// existence (EPERM means it exists but belongs to someone else).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ProcessStart returns when process pid started, as a number that is only
// compared for equality (Linux: clock ticks after boot, from
// /proc/<pid>/stat, which every account may read), and false when it
// cannot be told. Other Unix systems have no such file (macOS, most BSDs):
// there it is false, and Alive falls back to the pid alone.
func ProcessStart(pid int) (uint64, bool) {
	if pid <= 0 {
		return 0, false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	return procStatStart(b)
}
