//go:build unix

package main

import "golang.org/x/sys/unix"

// monotonic returns CLOCK_MONOTONIC in nanoseconds: one clock for every
// process on the machine, unaffected by wall-clock steps.
func monotonic() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
