//go:build unix

package supervisor

import (
	"github.com/wrapper-dev/wrapper/internal/starttrace"

	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"syscall"
	"time"
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
	syscall.SIGHUP:   "SIGHUP",
	syscall.SIGINT:   "SIGINT",
	syscall.SIGQUIT:  "SIGQUIT",
	syscall.SIGILL:   "SIGILL",
	syscall.SIGTRAP:  "SIGTRAP",
	syscall.SIGABRT:  "SIGABRT",
	syscall.SIGBUS:   "SIGBUS",
	syscall.SIGFPE:   "SIGFPE",
	syscall.SIGKILL:  "SIGKILL",
	syscall.SIGUSR1:  "SIGUSR1",
	syscall.SIGSEGV:  "SIGSEGV",
	syscall.SIGUSR2:  "SIGUSR2",
	syscall.SIGPIPE:  "SIGPIPE",
	syscall.SIGALRM:  "SIGALRM",
	syscall.SIGTERM:  "SIGTERM",
	syscall.SIGSYS:   "SIGSYS",
	syscall.SIGWINCH: "SIGWINCH",
	syscall.SIGXCPU:  "SIGXCPU",
	syscall.SIGXFSZ:  "SIGXFSZ",
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
// stop signals (those of the stop ladder's steps) even when the wrapper
// inherited them ignored (nohup ignores HUP; a non-interactive shell's
// background job ignores INT). exec keeps ignored signals ignored but
// resets handled ones, and the Go runtime keeps an inherited ignore of HUP
// and INT; so the child would ignore the stop signal and every graceful
// stop would end in a kill at the timeout. Handling the signals on a
// channel nobody reads keeps the wrapper ignoring them (signal drops what
// a full channel cannot take) and has exec reset them for the child. It
// returns the function that restores the ignores.
func deliverStopSignal(names ...string) (undo func()) {
	var ignored []os.Signal
	for _, name := range names {
		if sig, ok := stopSignals[name]; ok && signal.Ignored(sig) && !slices.Contains(ignored, os.Signal(sig)) {
			ignored = append(ignored, sig)
		}
	}
	if len(ignored) == 0 {
		return func() {}
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, ignored...)
	return func() {
		signal.Stop(c)
		signal.Ignore(ignored...) // Stop alone would leave the default action
	}
}

// gracefulStop names the first step of the default stop ladder in the log
// ("stopped by=signal").
const gracefulStop = "signal"

// stopAttrs describe the default stop ladder in the "stopping" log line.
func stopAttrs(o StopOptions) []any {
	return []any{"signal", o.Signal, "timeout", o.Timeout}
}

// stepKinds are the stop steps a Unix system can take: no console events
// but Ctrl-C (SIGINT, as a terminal sends it), no windows.
var stepKinds = []StepKind{StepSignal, StepCtrlC, StepCloseStdin, StepHTTP, StepCommand}

// defaultLadder is the stop ladder without StopOptions.Steps: the stop
// signal, then, after Timeout, the kill.
func defaultLadder(o StopOptions) []StopStep {
	return []StopStep{{Kind: StepSignal, Signal: o.Signal, Timeout: o.Timeout}}
}

// ownProcessGroup does nothing: a Unix child always leads a process group
// of its own (see sysProcAttr).
func ownProcessGroup(*syscall.SysProcAttr) {}

// tree is the Unix hold on a child's process tree: its process group,
// whose id is the child's pid (see sysProcAttr); on Linux its cgroup or the
// wrapper's orphans (see Containment), and the watchdog that kills the tree
// if the wrapper dies (see reaper_linux.go).
type tree struct {
	p       *os.Process
	cg      *cgroup // the tree's cgroup; nil when none
	orphans bool    // the wrapper's orphans die with this tree (subreaper)
	reaper  *reaper // nil when none could be started
	warn    error   // why not, reported by reap: hold has no logger
}

// begin starts cmd's child, contained as opts.Containment says, and
// takes hold of its tree. main is true for the supervised child, whose
// tree takes the wrapper's orphans along in ContainSubreaper mode. forked
// is called once the child is started, before the watchdog is: the
// calling thread may stop being the child's (see threadSched).
func begin(cmd *exec.Cmd, opts Options, main bool, forked func()) (*tree, error) {
	cg, err := treeCgroup(cmd, opts.Containment)
	if err != nil {
		return nil, err
	}
	starttrace.Mark("fork")
	if err := startRegistered(cmd); err != nil {
		return nil, errors.Join(err, cg.remove())
	}
	forked()
	cg.started()
	starttrace.Mark("child-started")
	return hold(cmd, cg, main && cg == nil)
}

// hold returns the tree of a started child. It cannot fail: Start made the
// process group (and put the child in cg), and a missing watchdog is only
// reported.
func hold(cmd *exec.Cmd, cg *cgroup, orphans bool) (*tree, error) {
	if cg != nil && coverCgroup(cg) {
		return &tree{p: cmd.Process, cg: cg, orphans: orphans}, nil
	}
	r, err := startReaper(cmd.Process.Pid, cg)
	return &tree{p: cmd.Process, cg: cg, orphans: orphans, reaper: r, warn: err}, nil
}

// step sends a stop step's signal to the child's process group: the
// step's own, or SIGINT for Ctrl-C. normalizeSteps refused the kinds a Unix
// system cannot take.
func (t *tree) step(s StopStep) error {
	switch s.Kind {
	case StepSignal:
		return signalTree(t.p, s.Signal)
	case StepCtrlC:
		return signalGroup(t.p.Pid, syscall.SIGINT)
	}
	return fmt.Errorf("%w: %s cannot be taken on this system", errStepSkipped, s.Kind)
}

// kill kills the whole tree: the cgroup if any, the group anyway.
func (t *tree) kill() error { return errors.Join(t.cg.kill(), killTree(t.p)) }

func (t *tree) release() {}

// reap kills what is left of the tree once the child has been waited for:
// the cgroup, which it removes once its processes are gone (waiting up to
// limit for them to run their exit), or the group and, for the supervised
// child in ContainSubreaper mode, the wrapper's orphans, which it reaps
// (waiting as long). Only then does it disarm the watchdog, so the tree is
// never left unguarded while it has members.
func (t *tree) reap(limit time.Duration) error {
	unregister(t.p.Pid)
	err := killTree(t.p)
	if t.cg != nil {
		err = errors.Join(err, t.cg.kill())
		if err == nil {
			err = t.cg.waitEmpty(limit)
		}
		if err == nil {
			err = t.cg.remove()
		}
	}
	if t.orphans {
		killOrphans(limit)
	}
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

func signalGroup(pgid int, sig syscall.Signal) error {
	err := syscall.Kill(-pgid, sig)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal process group %d: %w", pgid, err)
	}
	return nil
}

// signalLabel names sig as the log does ("SIGUSR1").
func signalLabel(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name, ok := signalNames[s]; ok {
			return name
		}
	}
	return sig.String()
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
