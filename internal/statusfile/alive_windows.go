package statusfile

import (
	"errors"

	"golang.org/x/sys/windows"
)

// ProcessAlive reports whether pid names a running process: it can be
// opened and has not exited yet (STILL_ACTIVE = 259). Access denied means
// it exists but belongs to someone else (a service seen from a
// non-elevated prompt), as EPERM does on Unix.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return true
	}
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	var code uint32
	return windows.GetExitCodeProcess(h, &code) == nil && code == 259
}
