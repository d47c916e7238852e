package supervisor

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// TODO(windows stop ladder, separate issue): put the child in a Job Object
// (KILL_ON_JOB_CLOSE, so the tree dies with the wrapper and grandchildren are
// reached), start it with CREATE_NEW_PROCESS_GROUP, and stop it gracefully:
// CTRL_BREAK_EVENT, then WM_CLOSE to its windows (StopOptions.WindowTimeout),
// then TerminateJobObject after StopOptions.Timeout. Until then the child is
// terminated at once and grandchildren are not reached.

// sysProcAttr returns no special attributes yet (see the TODO above).
func sysProcAttr() *syscall.SysProcAttr { return nil }

// lockThread does nothing: Windows has no parent-death signal tied to a
// thread.
func lockThread() (unlock func()) { return func() {} }

// deliverStopSignal does nothing: Windows has no inherited signal ignores.
func deliverStopSignal(string) (undo func()) { return func() {} }

// signalTree terminates the child (TerminateProcess): there is no graceful
// step yet, so StopOptions.Signal is ignored.
func signalTree(p *os.Process, _ string) error { return killTree(p) }

// killTree terminates the child only; grandchildren survive until the Job
// Object work lands. A child that already exited is not an error: once Wait
// has returned, os.Process reports EINVAL (its handle is released) rather
// than ErrProcessDone.
func killTree(p *os.Process) error {
	err := p.Kill()
	if err != nil && !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("terminate child: %w", err)
	}
	return nil
}

// reapTree does nothing yet: without a Job Object the supervisor does not
// know the child's descendants (see the TODO above).
func reapTree(*os.Process) error { return nil }

// exitStatus returns the exit code; Windows has no signals.
func exitStatus(ps *os.ProcessState) (code int, signal string) {
	return ps.ExitCode(), ""
}
