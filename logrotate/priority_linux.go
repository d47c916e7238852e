package logrotate

import "golang.org/x/sys/unix"

// lowestNice is the nice value of the compressor's thread: the lowest
// priority, which any thread may take without privileges.
const lowestNice = 19

// lowerThreadPriority gives the calling thread (locked to its goroutine)
// the SCHED_IDLE policy, and nice 19 should the kernel refuse it. A nice
// value still earns a thread a share of a busy processor, and the child's
// writes paid for it; a SCHED_IDLE thread runs only where nothing else
// would, and a waking pump or child preempts it at once
// (docs/performance.md#compression). On Linux a policy and a nice value
// belong to the thread, not the process (the thread id, or 0): the pumps
// and the child keep theirs. A failure leaves the thread as it was.
func lowerThreadPriority() {
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), lowestNice)
	_ = unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_IDLE, Nice: lowestNice}, 0)
}

// threadRef is a thread of this process: its id.
type threadRef int

// currentThread returns the calling thread.
func currentThread() (threadRef, bool) { return threadRef(unix.Gettid()), true }

// raiseThread gives thread t the normal policy and the main thread's nice
// value back. Leaving SCHED_IDLE, like lowering a nice value, needs
// CAP_SYS_NICE or an RLIMIT_NICE of at least 20-nice: without, the kernel
// refuses and the thread stays low.
func raiseThread(t threadRef) {
	p, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Getpid())
	if err != nil {
		return
	}
	// The system call returns 20-nice, which the C library would turn back.
	_ = unix.SchedSetAttr(int(t), &unix.SchedAttr{Policy: unix.SCHED_NORMAL, Nice: int32(20 - p)}, 0)
}

// releaseThread does nothing: a thread id holds nothing open.
func releaseThread(threadRef) {}

// isMainThread reports whether the calling thread is the process's first,
// whose id is the process id.
func isMainThread() bool { return unix.Gettid() == unix.Getpid() }
