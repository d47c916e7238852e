//go:build !linux && !windows

package logrotate

// lowerThreadPriority does nothing here: elsewhere than Linux, setpriority
// acts on the whole process, pumps included.
func lowerThreadPriority() {}

// threadRef stands for a thread; no thread's priority is changed here.
type threadRef struct{}

func currentThread() (threadRef, bool) { return threadRef{}, false }
func raiseThread(threadRef)            {}
func releaseThread(threadRef)          {}

// isMainThread reports false: no thread's priority is changed here.
func isMainThread() bool { return false }
