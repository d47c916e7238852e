package statusfile

import (
	"errors"

	"golang.org/x/sys/windows"
)

// processAlive reports whether pid names a running process: it can be
// opened and has not exited yet (STILL_ACTIVE = 259). Access denied means
// it exists but belongs to someone else (a service seen from a
// non-elevated prompt), as EPERM does on Unix.
func processAlive(pid int) bool {
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

// ProcessStart returns when process pid was created, as a number that is
// only compared for equality (the creation FILETIME: 100 ns units since
// 1601), and false when it cannot be told: the process is gone, or
// belongs to an account whose processes this one may not query.
func ProcessStart(pid int) (uint64, bool) {
	if pid <= 0 {
		return 0, false
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return 0, false
	}
	defer windows.CloseHandle(h)
	var created, exited, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0, false
	}
	v := uint64(created.HighDateTime)<<32 | uint64(created.LowDateTime)
	return v, v != 0
}
