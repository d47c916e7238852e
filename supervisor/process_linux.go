package supervisor

import (
	"fmt"
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

// outputPipe creates a pipe for a child's output: close-on-exec, enlarged
// to pipeSize, and in blocking mode, outside Go's poller, which pays in
// make bench's throughput case. os.Pipe would register the read end with
// the poller: reads that empty the pipe then park and wait for a wake-up,
// and even after a switch to blocking mode (Fd) the registration stays, so
// every write by the child wakes an idle runtime thread for nothing. A
// blocking read sleeps in the kernel like cat's. The price: neither
// closing the read end nor a deadline interrupts a read in progress, which
// pipes.drain accounts for (see wake and cutReader).
func outputPipe() (r, w *os.File, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, fmt.Errorf("pipe2: %w", err)
	}
	// Failure (EPERM above an unprivileged user's limit) only costs speed.
	_, _ = unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, pipeSize)
	// NewFile sees blocking descriptors and leaves them out of the poller.
	return os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1"), nil
}

// wakeRetry is 0: the byte wake writes stays in the pipe until read, so a
// read that starts after it returns at once too.
const wakeRetry = 0

// wake makes a read in progress on any read end return, by writing a byte
// into its pipe through a write end of its own: Linux opens a pipe's
// /proc/self/fd entry like a FIFO. Raw system calls, because an *os.File
// would put the new descriptor in the poller and wait there when the pipe
// is full (no read is blocked then anyway). The byte is dropped by
// cutReader. Without /proc nothing happens, and drain's second wait ends
// it.
func (p *pipes) wake() {
	for _, r := range p.readers {
		fd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", r.Fd()), unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		_, _ = unix.Write(fd, []byte{0})
		_ = unix.Close(fd)
	}
}
