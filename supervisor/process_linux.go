package supervisor

import (
	"runtime"
	"syscall"
)

// setDeathSignal makes the kernel SIGKILL the child when the wrapper dies,
// even by SIGKILL, when no stop ladder can run. The signal fires when the OS
// thread that forked the child exits, which is why lockThread keeps that
// thread alive until the child is reaped.
func setDeathSignal(a *syscall.SysProcAttr) {
	a.Pdeathsig = syscall.SIGKILL
}

// lockThread wires the calling goroutine to its OS thread so that the Go
// runtime neither reuses nor retires the thread that forks the child while
// the child runs (see setDeathSignal). It returns the unlock function.
func lockThread() (unlock func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
