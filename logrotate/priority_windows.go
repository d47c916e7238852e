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

// threadRef is a thread of this process: a handle that may set its
// priority, opened by currentThread and closed by releaseThread.
type threadRef windows.Handle

// currentThread opens the calling thread (windows.CurrentThread is a
// pseudo-handle, which means the calling thread wherever it is used).
func currentThread() (threadRef, bool) {
	h, err := windows.OpenThread(windows.THREAD_SET_INFORMATION|windows.THREAD_QUERY_INFORMATION, false, windows.GetCurrentThreadId())
	return threadRef(h), err == nil
}

// raiseThread gives thread t THREAD_PRIORITY_NORMAL back, which any
// thread of the process may do.
func raiseThread(t threadRef) {
	_, _, _ = setThreadPriority.Call(uintptr(t), 0)
}

// releaseThread closes t's handle.
func releaseThread(t threadRef) { _ = windows.CloseHandle(windows.Handle(t)) }

// isMainThread reports false: Windows shows no thread's priority as the
// process's, and the main thread the runtime parks for good if lowThread
// ran there costs nothing else.
func isMainThread() bool { return false }
