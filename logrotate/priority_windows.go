package logrotate

import "golang.org/x/sys/windows"

// threadPriorityLowest is THREAD_PRIORITY_LOWEST: two steps below normal
// within the process's priority class.
var threadPriorityLowest int32 = -2

// setThreadPriority is kernel32's SetThreadPriority, which x/sys/windows
// does not wrap; loaded at the first call, not at start-up.
var setThreadPriority = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetThreadPriority")

// lowerThreadPriority gives the calling thread (locked to its goroutine)
// THREAD_PRIORITY_LOWEST. A failure leaves the thread at normal priority.
func lowerThreadPriority() {
	_, _, _ = setThreadPriority.Call(uintptr(windows.CurrentThread()), uintptr(threadPriorityLowest))
}

// isMainThread reports false: Windows shows no thread's priority as the
// process's, and the main thread the runtime parks for good if lowThread
// ran there costs nothing else.
func isMainThread() bool { return false }
