package supervisor

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// gracefulStop names the first step of the default stop ladder in the log
// ("stopped by=ctrl-c"); "wm-close" and "kill" follow.
const gracefulStop = "ctrl-c"

// stopAttrs describe the default stop ladder in the "stopping" log line.
// StopOptions.Signal means nothing on Windows and is not shown.
func stopAttrs(o StopOptions) []any {
	return []any{"by", gracefulStop, "timeout", o.Timeout, "window_timeout", o.WindowTimeout}
}

// stepKinds are the stop steps Windows can take: no signals.
var stepKinds = []StepKind{StepCtrlC, StepCtrlBreak, StepWMClose, StepCloseStdin, StepHTTP, StepCommand}

// defaultLadder is the stop ladder without StopOptions.Steps: Ctrl-C, then
// after Timeout WM_CLOSE (unless WindowTimeout is 0), then after
// WindowTimeout the kill.
func defaultLadder(o StopOptions) []StopStep {
	steps := []StopStep{{Kind: StepCtrlC, Timeout: o.Timeout}}
	if o.WindowTimeout > 0 {
		steps = append(steps, StopStep{Kind: StepWMClose, Timeout: o.WindowTimeout})
	}
	return steps
}

// ownProcessGroup starts the child in a process group of its own, whose id
// is its pid, for StepCtrlBreak: GenerateConsoleCtrlEvent sends
// CTRL_BREAK_EVENT to a process group, so the group must hold the child's
// tree and not the wrapper, which would otherwise get it too (and die of
// it: the echo filter swallows only Ctrl-C). Windows disables Ctrl-C in
// such a group, hence normalizeSteps refuses a ladder with both.
func ownProcessGroup(a *syscall.SysProcAttr) {
	a.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP
}

// sysProcAttr starts the child suspended, so that hold can put it in its
// Job Object before it runs, and with a console of its own that has no
// window, so that sendCtrlC can reach it (and its console descendants)
// without touching anyone else. CREATE_NO_WINDOW rather than
// CREATE_NEW_CONSOLE with a hidden window: both let AttachConsole and
// Ctrl-C work, but the hidden-window variant passes SW_HIDE in STARTUPINFO,
// which a GUI child would take as the initial state of its main window.
// Not CREATE_NEW_PROCESS_GROUP: it would make the child ignore Ctrl-C.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: windows.CREATE_SUSPENDED | windows.CREATE_NO_WINDOW}
}

// lockThread does nothing: the Job Object, not a thread, ties the child to
// the wrapper's life.
func lockThread() (unlock func()) { return func() {} }

// deliverStopSignal does nothing: Windows has no inherited signal ignores.
func deliverStopSignal(...string) (undo func()) { return func() {} }

// tree is the Windows hold on a child's process tree: the Job Object that
// contains it, and a handle on the child itself, which keeps its pid from
// naming another process while the supervisor may still act on it. The
// loop's goroutine (stop, kill, closeWindows) and the child's own goroutine
// (reap, release) both use it, hence the mutex.
type tree struct {
	mu   sync.Mutex
	job  windows.Handle // 0 once released
	proc windows.Handle
	pid  uint32
}

// begin starts cmd's child (on a console with opts.ConsoleCodePage, see
// startChild) and takes hold of its tree (see hold), with opts' priority
// class and affinity. The Job Object holds the whole tree: Containment,
// Linux's choice, is ignored, and so is forked: the thread plays no part.
func begin(cmd *exec.Cmd, opts Options, _ bool, _ func()) (*tree, error) {
	sched, _, err := schedOf(opts) // the warning was logged by New
	if err != nil {
		return nil, err
	}
	if err := startChild(cmd, opts); err != nil {
		return nil, err
	}
	return hold(cmd, sched)
}

// hold puts a child started suspended (see sysProcAttr) into a new Job
// Object with the limits of sched and resumes it. When that fails the
// child, which never ran, is killed and reaped, and the error is a start
// failure.
func hold(cmd *exec.Cmd, sched jobSched) (*tree, error) {
	t, err := contained(uint32(cmd.Process.Pid), sched)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	return t, nil
}

func contained(pid uint32, sched jobSched) (*tree, error) {
	proc, err := windows.OpenProcess(childAccess, false, pid)
	if err != nil {
		return nil, fmt.Errorf("open child process: %w", err)
	}
	job, err := newJob(sched)
	if err == nil {
		err = contain(job, proc)
		if err != nil {
			windows.CloseHandle(job)
		}
	}
	if err != nil {
		windows.CloseHandle(proc)
		return nil, err
	}
	return &tree{job: job, proc: proc, pid: pid}, nil
}

// step sends Ctrl-C to the child's console, or Ctrl-Break to the child's
// process group on it. A child that has exited already is left alone: its
// exit is on its way to the loop. normalizeSteps refused the kinds Windows
// cannot take.
func (t *tree) step(s StopStep) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job == 0 || exited(t.proc) {
		return nil
	}
	switch s.Kind {
	case StepCtrlC:
		return sendCtrlC(t.pid)
	case StepCtrlBreak:
		return sendCtrlBreak(t.pid)
	}
	return fmt.Errorf("%w: %s cannot be taken on this system", errStepSkipped, s.Kind)
}

// kill terminates every process in the job. It does not wait.
func (t *tree) kill() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job == 0 {
		return nil
	}
	return terminateJob(t.job)
}

// reap kills what is left of the tree once the child has exited, so that
// no descendant outlives it or holds its output pipes open. It does not
// wait: the job's processes hold no resource the next child needs.
func (t *tree) reap(time.Duration) error { return t.kill() }

// release closes the handles. Closing the job kills anything still in it.
func (t *tree) release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job == 0 {
		return
	}
	windows.CloseHandle(t.job)
	windows.CloseHandle(t.proc)
	t.job, t.proc = 0, 0
}

// closeWindows is StepWMClose (see windowCloser).
func (t *tree) closeWindows() (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job == 0 {
		return 0, nil
	}
	return postClose(t.job)
}

// closeWindows makes child a windowCloser.
func (c *child) closeWindows() (int, error) { return c.tree.closeWindows() }

// exited reports whether the process has ended.
func exited(proc windows.Handle) bool {
	ev, err := windows.WaitForSingleObject(proc, 0)
	return err == nil && ev == windows.WAIT_OBJECT_0
}

// signalLabel names sig for the log; Windows forwards none (see
// forwardedSignals).
func signalLabel(sig os.Signal) string { return sig.String() }

// exitStatus returns the exit code. Windows exit codes are 32-bit unsigned
// (NTSTATUS values such as 0xC0000005 for an access violation are common),
// so the code is converted from the uint32, which int holds on the 64-bit
// platforms the wrapper is built for. Windows has no signals.
func exitStatus(ps *os.ProcessState) (code int, signal string) {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok {
		return ps.ExitCode(), ""
	}
	return int(ws.ExitCode), ""
}

var _ windowCloser = (*child)(nil)

// outputPipe creates a pipe for a child's output. os.Pipe's handles are
// synchronous; wake cancels a read in progress.
func outputPipe() (r, w *os.File, err error) {
	return os.Pipe()
}

// wakeRetry is how often drain repeats wake: CancelIoEx cancels only a
// read already in progress, and a pump that had passed cutReader's check
// may start its ReadFile just after (seen under Wine).
const wakeRetry = 10 * time.Millisecond

// wake cancels the synchronous reads in progress on the read ends; a
// cancelled read returns an error, and cutReader then ends its pump. The
// handles stay open until drain closes them, after the last wake.
func (p *pipes) wake() {
	for _, r := range p.readers {
		_ = windows.CancelIoEx(windows.Handle(r.Fd()), nil)
	}
}
