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

// cpuTime returns this process's user and system time in nanoseconds: the
// child's share of a run's CPU, which the parent's rusage lumps together
// with its own.
func cpuTime() int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
