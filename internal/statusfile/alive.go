package statusfile

import (
	"bytes"
	"strconv"
)

// Alive reports whether pid names a live process that started at start, as
// ProcessStart reports it: a pid whose process exited may have been given
// to another process since, which must not count as the wrapper running.
// When start is 0 (a status file written where the start time was
// unknown) or the process's start time cannot be read (another account's
// process on Windows), the pid alone decides.
func Alive(pid int, start uint64) bool {
	if !processAlive(pid) {
		return false
	}
	if start == 0 {
		return true
	}
	now, ok := ProcessStart(pid)
	return !ok || now == start
}

// procStatStart returns the start time field of a Linux /proc/<pid>/stat
// line: the 22nd field, in clock ticks after boot. The second field is the
// command name in parentheses, which may itself hold spaces and ')', so
// the fields are counted from the last ')'.
func procStatStart(stat []byte) (uint64, bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	// After ')' come field 3 (state) onwards: the start time is the 20th.
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(fields[19]), 10, 64)
	return v, err == nil && v != 0
}
