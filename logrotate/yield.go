package logrotate

import (
	"runtime"
	"time"
)

const (
	// yieldAfter is how long ReadFrom may run between yields: half of the
	// 10 ms after which the runtime's sysmon starts taking the processor
	// away from a goroutine in its system calls.
	yieldAfter = 5 * time.Millisecond
	// bigRead is a read large enough to say that the producer is ahead of
	// the pump; smaller reads never yield.
	bigRead = 16 << 10
)

// yielder lets ReadFrom pass through Go's scheduler while a fast producer
// keeps it busy, which pays in make bench's throughput case. A loop of read
// and write system calls never passes through the scheduler, which then
// counts the goroutine as running without pause; after 10 ms sysmon takes
// its processor away in every system call, and on each return the
// goroutine must find one again. A yield (runtime.Gosched) resets that
// clock. Yields are spaced by time, not by count, because each also wakes
// an idle thread to look for work; a slow producer, whose reads are small,
// never causes one.
type yielder struct {
	last time.Time // the last yield
}

// afterRead yields the processor after a read of n bytes if the read was
// large and yieldAfter has passed since the last yield.
func (y *yielder) afterRead(n int) {
	if n < bigRead {
		return
	}
	if now := time.Now(); now.Sub(y.last) >= yieldAfter {
		runtime.Gosched()
		y.last = now
	}
}
