//go:build !linux && !windows

package logrotate

// lowerThreadPriority does nothing here: elsewhere than Linux, setpriority
// acts on the whole process, pumps included.
func lowerThreadPriority() {}

// isMainThread reports false: no thread's priority is changed here.
func isMainThread() bool { return false }
