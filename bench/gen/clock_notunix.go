//go:build !unix

package main

import "time"

// monotonic returns the wall clock in nanoseconds: the benchmarks run on
// Linux only; this keeps the program compiling elsewhere.
func monotonic() int64 { return time.Now().UnixNano() }

// cpuTime is unknown here (see monotonic).
func cpuTime() int64 { return 0 }
