package logrotate

import "golang.org/x/sys/unix"

// lowestNice is the nice value of the compressor's thread: the lowest
// priority, which any thread may take without privileges.
const lowestNice = 19

// lowerThreadPriority gives the calling thread (locked to its goroutine)
// the lowest nice value. On Linux a nice value belongs to the thread, not
// the process (PRIO_PROCESS with a thread id): the pumps and the child
// keep theirs. A failure leaves the thread at normal priority.
func lowerThreadPriority() {
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), lowestNice)
}

// isMainThread reports whether the calling thread is the process's first,
// whose id is the process id.
func isMainThread() bool { return unix.Gettid() == unix.Getpid() }
