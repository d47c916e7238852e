//go:build unix && !linux

package supervisor

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// setDeathSignal does nothing: only Linux has a parent-death signal. A child
// of a SIGKILLed wrapper survives here.
func setDeathSignal(*syscall.SysProcAttr) {}

// lockThread does nothing: without a parent-death signal the forking
// thread does not matter.
func lockThread() (unlock func()) { return func() {} }

// outputPipe creates a close-on-exec pipe for a child's output in blocking
// mode, outside Go's poller (see the Linux version for why). Without pipe2
// on every Unix, it holds ForkLock between pipe and close-on-exec, as
// os.Pipe does, so that no child started meanwhile inherits the ends.
func outputPipe() (r, w *os.File, err error) {
	var p [2]int
	syscall.ForkLock.RLock()
	err = syscall.Pipe(p[:])
	if err == nil {
		syscall.CloseOnExec(p[0])
		syscall.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, fmt.Errorf("pipe: %w", err)
	}
	return os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1"), nil
}

// wakeRetry is 0: wake does nothing to retry.
const wakeRetry = 0

// wake does nothing: without a portable way to reopen a pipe, a read in
// progress ends only when its writer writes or exits (see drain).
func (p *pipes) wake() {}

// cgroup stands for Linux's cgroup of a tree; here there is none, and the
// methods of a nil cgroup do nothing.
type cgroup struct{}

func (*cgroup) started()                      {}
func (*cgroup) kill() error                   { return nil }
func (*cgroup) waitEmpty(time.Duration) error { return nil }
func (*cgroup) remove() error                 { return nil }

// treeCgroup makes no cgroup: there are none here.
func treeCgroup(*exec.Cmd, Containment) (*cgroup, error) { return nil, nil }

// startRegistered starts cmd: nothing reaps orphans here, so there is no
// registry to keep (see orphans_linux.go).
func startRegistered(cmd *exec.Cmd) error { return cmd.Start() }

// unregister does nothing (see startRegistered).
func unregister(int) {}

// killOrphans does nothing: the wrapper adopts no orphans here.
func killOrphans(time.Duration) {}
