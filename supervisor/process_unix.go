//go:build unix

package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// stopSignals maps the canonical stop signal names to signals.
var stopSignals = map[string]syscall.Signal{
	"TERM": syscall.SIGTERM,
	"INT":  syscall.SIGINT,
	"HUP":  syscall.SIGHUP,
	"QUIT": syscall.SIGQUIT,
	"USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2,
}

// signalNames names the signals a child commonly dies of.
var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP:  "SIGHUP",
	syscall.SIGINT:  "SIGINT",
	syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL:  "SIGILL",
	syscall.SIGTRAP: "SIGTRAP",
	syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS:  "SIGBUS",
	syscall.SIGFPE:  "SIGFPE",
	syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1",
	syscall.SIGSEGV: "SIGSEGV",
	syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE",
	syscall.SIGALRM: "SIGALRM",
	syscall.SIGTERM: "SIGTERM",
	syscall.SIGSYS:  "SIGSYS",
	syscall.SIGXCPU: "SIGXCPU",
	syscall.SIGXFSZ: "SIGXFSZ",
}

// sysProcAttr puts the child in a process group of its own, whose id is the
// child's pid, so that one kill(-pgid) reaches every descendant that did not
// leave the group, and so that a terminal's Ctrl-C (sent to the wrapper's
// foreground group) does not reach the child behind the wrapper's back.
func sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(a)
	return a
}

// deliverStopSignal makes children start with the default action for the
// stop signal even when the wrapper inherited it ignored (nohup ignores HUP;
// a non-interactive shell's background job ignores INT). exec keeps ignored
// signals ignored but resets handled ones, and the Go runtime keeps an
// inherited ignore of HUP and INT; so the child would ignore the stop signal
// and every graceful stop would end in a kill at the timeout. Handling the
// signal on a channel nobody reads keeps the wrapper ignoring it (signal
// drops what a full channel cannot take) and has exec reset it for the
// child. It returns the function that restores the ignore.
func deliverStopSignal(name string) (undo func()) {
	sig, ok := stopSignals[name]
	if !ok || !signal.Ignored(sig) {
		return func() {}
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, sig)
	return func() {
		signal.Stop(c)
		signal.Ignore(sig) // Stop alone would leave the default action
	}
}

// gracefulStop names the first step of the stop ladder in the log
// ("stopped by=signal").
const gracefulStop = "signal"

// stopAttrs describe the stop ladder in the "stopping" log line.
func stopAttrs(o StopOptions) []any {
	return []any{"signal", o.Signal, "timeout", o.Timeout}
}

// tree is the Unix hold on a child's process tree: its process group, whose
// id is the child's pid (see sysProcAttr), and on Linux the reaper that
// kills the group if the wrapper dies (see reaper_linux.go).
type tree struct {
	p      *os.Process
	reaper *reaper // nil when none could be started
	warn   error   // why not, reported by reap: hold has no logger
}

// hold returns the tree of a started child. It cannot fail: Start made the
// process group, and a missing reaper is only reported.
func hold(cmd *exec.Cmd) (*tree, error) {
	r, err := startReaper(cmd.Process.Pid)
	return &tree{p: cmd.Process, reaper: r, warn: err}, nil
}

func (t *tree) stop(sig string) error { return signalTree(t.p, sig) }
func (t *tree) kill() error           { return killTree(t.p) }
func (t *tree) release()              {}

// reap kills what is left of the group, then disarms the reaper: in that
// order, so the group is never left unguarded while it has members.
func (t *tree) reap() error {
	err := reapTree(t.p)
	t.reaper.stop()
	return errors.Join(err, t.warn)
}

// signalTree sends the named stop signal to the child's process group.
func signalTree(p *os.Process, name string) error {
	sig, ok := stopSignals[name]
	if !ok {
		return fmt.Errorf("unknown stop signal %q", name)
	}
	return signalGroup(p.Pid, sig)
}

// killTree SIGKILLs the child's process group. A group that no longer exists
// is not an error. The group id stays reserved while any member lives, so
// after the child is reaped it still names only the child's descendants.
func killTree(p *os.Process) error {
	return signalGroup(p.Pid, syscall.SIGKILL)
}

// reapTree kills what is left of the child's process group after the child
// was reaped.
func reapTree(p *os.Process) error { return killTree(p) }

func signalGroup(pgid int, sig syscall.Signal) error {
	err := syscall.Kill(-pgid, sig)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal process group %d: %w", pgid, err)
	}
	return nil
}

// exitStatus returns the exit code, or -1 and the signal's name when a
// signal killed the child.
func exitStatus(ps *os.ProcessState) (code int, signal string) {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ps.ExitCode(), ""
	}
	sig := ws.Signal()
	if name, ok := signalNames[sig]; ok {
		return -1, name
	}
	return -1, fmt.Sprintf("signal %d", int(sig))
}
