package supervisor

import (
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
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

// pipeSize is the capacity asked for each output pipe. Linux's default of
// 64 KiB makes a fast child block as soon as the wrapper is one read behind,
// and the two then hand the CPU back and forth on every page; 1 MiB (the
// default /proc/sys/fs/pipe-max-size) lets the child run ahead while the
// wrapper writes a batch. See docs/performance.md.
const pipeSize = 1 << 20

// tunePipe enlarges the pipe w belongs to. Failure (EPERM above an
// unprivileged user's limit) only costs speed, so it is ignored. It uses
// SyscallConn, not Fd, which would switch the descriptor to blocking mode.
func tunePipe(w *os.File) {
	if rc, err := w.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize) })
	}
}
