package supervisor

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"
)

// Policy says which child exits are followed by a restart.
type Policy string

// The restart policies.
const (
	// Always restarts after any exit that is not fatal. A success exit
	// restarts after RestartOptions.Delay and resets the failure count.
	Always Policy = "always"
	// OnFailure restarts only after exits that are not success exit codes.
	OnFailure Policy = "on-failure"
	// Never does not restart: the first exit ends Run.
	Never Policy = "never"
)

// defaultStopTimeout is StopOptions.Timeout when it is left zero.
const defaultStopTimeout = 10 * time.Second

// RestartOptions decide whether and when an exited child starts again.
type RestartOptions struct {
	// Policy says which exits restart. Default (empty) OnFailure.
	Policy Policy
	// Delay is the wait before the first restart after a failure, and before
	// every restart after a success exit under Always. 0 restarts at once.
	Delay time.Duration
	// MaxDelay caps the backoff: consecutive failures double the delay up to
	// MaxDelay. 0 means no growth (every restart waits Delay).
	MaxDelay time.Duration
	// ResetAfter: a run that lasted at least this long resets the consecutive
	// failure count before its own exit is counted. 0 means run length never
	// resets the count (a success exit always does).
	ResetAfter time.Duration
	// MaxFailures is the circuit breaker: that many consecutive failures end
	// Run with an error wrapping ErrGaveUp. 0 means never give up.
	MaxFailures int
	// SuccessExitCodes are the exit codes that count as success. Default
	// (nil) [0]; an empty, non-nil list makes every exit a failure.
	SuccessExitCodes []int
	// FatalExitCodes are exit codes that never restart, whatever the Policy;
	// Run returns an *ExitError. A code in both lists is fatal. Default none.
	FatalExitCodes []int
	// OnExit maps exit codes to an action that replaces the Policy for
	// them (see ExitAction). It takes precedence over SuccessExitCodes and
	// FatalExitCodes, which still say whether a code is a success for
	// ActionRestart. It applies to exit codes only: not to a signal death,
	// a start failure, nor an exit the supervisor caused (a failed health
	// check, RestartChild, Update, a scheduled restart). Default none.
	OnExit map[int]ExitAction
	// Every restarts the child gracefully once it has run this long: the
	// stop steps (pre_stop, the stop ladder, post_stop), then a start at
	// once (wait_for and pre_start included), with cause CauseSchedule.
	// Such a restart is not a failure and leaves the failure count and
	// the backoff as they are. 0 (the default) means never.
	Every time.Duration
	// At restarts the child the same way every day at each of these times
	// of day, in the location of the wall clock (local time; see
	// TimeOfDay and nextDaily for the nights the clock changes). A time
	// that comes while no child runs (a backoff, a start, a stop) is
	// skipped. Default none.
	At []TimeOfDay
}

// ExitAction is what RestartOptions.OnExit does after an exit code.
type ExitAction string

// The exit actions.
const (
	// ActionRestart restarts the child whatever the Policy. After a code in
	// SuccessExitCodes the restart is not a failure: it waits Delay and
	// resets the failure count, as a success exit under Always does.
	// After any other code it is a failure: the backoff grows and the
	// circuit breaker applies, even under Never.
	ActionRestart ExitAction = "restart"
	// ActionStop does not restart the child and ends Run with nil, as a
	// success exit the policy does not restart, whatever the code.
	ActionStop ExitAction = "stop"
	// ActionFatal does not restart the child and ends Run with an
	// *ExitError, as a code in FatalExitCodes.
	ActionFatal ExitAction = "fatal"
)

// StopOptions describe how the child is stopped gracefully: when Run's
// context is cancelled, and before a restart the supervisor causes. The
// stop ladder is Steps, each followed by a wait for the child's exit; after
// the last, the whole process tree is killed. Without Steps it is this
// system's default: on Unix Signal, then after Timeout the kill; on
// Windows Ctrl-C, then after Timeout WM_CLOSE when the child has windows,
// then after WindowTimeout the kill.
type StopOptions struct {
	// Timeout is how long the child may take to exit after the first step
	// of the default ladder, and the timeout of a step that has none.
	// Default (0) 10s.
	Timeout time.Duration
	// Signal is the stop signal of the default ladder on Unix: one of TERM,
	// INT, HUP, QUIT, USR1, USR2 (an optional SIG prefix is accepted).
	// Default (empty) TERM. While Run runs, a signal of the ladder the
	// wrapper inherited as ignored (nohup's HUP) is handled, and
	// discarded, by the wrapper so that children start with its default
	// action. Windows validates the name but ignores it: the child gets
	// Ctrl-C on its console.
	Signal string
	// WindowTimeout is, in the default ladder on Windows, how long the
	// child may take to exit after WM_CLOSE was posted to the top-level
	// windows of its process tree (once Timeout has passed) before the tree
	// is killed. The step is skipped when the tree has no window. 0 (the
	// default) skips it always. Ignored elsewhere.
	WindowTimeout time.Duration
	// Steps replace the default ladder when not empty (see StopStep).
	// Only the kinds this system can take are valid (stepKinds); a
	// StepCloseStdin needs Options.Stdin StdinOpen; StepCtrlC and
	// StepCtrlBreak exclude each other. Default none.
	Steps []StopStep
}

// Options describe the child to supervise. New copies them; later changes
// to the caller's slices have no effect.
type Options struct {
	// Path is the executable. A name without a path separator is looked up
	// in the wrapper's PATH. Required.
	Path string
	// Args are the arguments, without the program name.
	Args []string
	// Dir is the child's working directory. Empty means the wrapper's.
	Dir string
	// Env is the child's full environment as KEY=value strings. nil means
	// the wrapper's own environment.
	Env []string
	// Stdin is the child's standard input. Default the null device.
	Stdin Stdin
	// Stdout and Stderr receive the child's output: for every child start
	// the supervisor hands each pipe's read end to ReadFrom in its own
	// goroutine and waits for ReadFrom to return after the child exits.
	// When a process outside the child's tree keeps a pipe open, the wait
	// lasts 5 s; the output is then cut off (the next read fails with
	// os.ErrClosed) and the wait repeats once, after which a ReadFrom
	// still running, stuck in its own write, is left behind and logged,
	// and may overlap the next child's. ReadFrom must read until EOF or a
	// read error, and must not stop reading because a write failed. They
	// may be the same value, which must then be safe for concurrent use.
	// nil discards that stream.
	Stdout, Stderr io.ReaderFrom
	// Restart decides restarts.
	Restart RestartOptions
	// Stop describes the graceful stop.
	Stop StopOptions
	// Logger receives the supervisor's events at Info level and problems at
	// Warn. nil discards them.
	Logger *slog.Logger
	// OnStatus, when not nil, is called with a copy of the new Status after
	// every state change, from Run's goroutine: it must return quickly and
	// must not call back into the Supervisor (Run, RestartChild, Update).
	// The host uses it to publish status for `wrapper status`. nil = no
	// calls.
	OnStatus func(Status)
	// Health is the running child's health check; none by default.
	Health HealthOptions
	// WaitFor are the start conditions, checked in order before every
	// start of the child (StateWaiting); none by default.
	WaitFor []Condition
	// Hooks are commands run around the child's life; none by default.
	Hooks Hooks
	// Heartbeat pings a dead man's switch while the child is healthy;
	// none by default.
	Heartbeat HeartbeatOptions
	// Limits restart the child when its process tree uses too much memory
	// or CPU; none by default.
	Limits LimitOptions
	// Containment is how the child's whole process tree is held on Linux
	// (see Containment). Default (empty) ContainAuto: a cgroup where
	// possible, else the subreaper. Update does not change it.
	Containment Containment
	// ConsoleCodePage is, on Windows, the code page set as the input and
	// output code page of the child's console before the child runs
	// (65001 is UTF-8), which programs that encode their output for the
	// console follow; see startChild in codepage_windows.go for how. It
	// must be installed (IsValidCodePage), else New and Update fail.
	// Other systems have no console code pages: New logs a warning and the
	// value is ignored. Default (0) the system's code page.
	ConsoleCodePage uint32
	// Priority is the scheduling priority the child starts with, which
	// its whole tree inherits (see Priority). Raising it above the
	// wrapper's own needs privileges: New and Update fail without them
	// (ErrCannotApply). Hooks and command probes keep the wrapper's.
	// Default (empty) PriorityInherit.
	Priority Priority
	// Affinity are the CPUs, numbered from 0, that the child and its
	// whole tree may run on: on Linux the affinity the child starts with,
	// which its descendants inherit; on Windows the Job Object's, which
	// they cannot leave (CPUs 0 to 63). CPUs the wrapper may not use
	// itself are left out with a warning, and New and Update fail when
	// none is left (ErrCannotApply). Other Unix systems have no affinity.
	// Default (nil) the wrapper's own.
	Affinity []int
	// Account, when not nil, is the Unix account the child runs as (see
	// Account); the supervisor must run as root. Windows refuses it
	// (ErrCannotApply). Default (nil) the wrapper's account.
	Account *Account
}

// validSignals are the stop signal names accepted on every platform, so a
// configuration stays portable.
var validSignals = []string{"TERM", "INT", "HUP", "QUIT", "USR1", "USR2"}

// normalize validates o and returns a copy with every default filled in.
// It reports every problem at once.
func normalize(o Options) (Options, error) {
	var errs []error
	if o.Path == "" {
		errs = append(errs, errors.New("path is required"))
	}
	errs = append(errs, normalizeRestart(&o.Restart)...)
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"stop timeout", o.Stop.Timeout}, {"stop window timeout", o.Stop.WindowTimeout}} {
		if d.d < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", d.name, d.d))
		}
	}
	if o.Stop.Timeout == 0 {
		o.Stop.Timeout = defaultStopTimeout
	}
	errs = append(errs, validContainment(o.Containment)) // Join drops a nil
	sig, err := signalName(o.Stop.Signal)
	if err != nil {
		errs = append(errs, err)
	}
	o.Stop.Signal = sig
	errs = append(errs, validStdin(o.Stdin))
	var serrs []error
	o.Stop.Steps, serrs = normalizeSteps(o.Stop.Steps, o.Stdin.Mode, o.Stop.Timeout)
	errs = append(errs, serrs...)
	o.Args = slices.Clone(o.Args)
	o.Env = slices.Clone(o.Env)
	errs = append(errs, normalizeHealth(&o.Health)...)
	var cerrs []error
	o.WaitFor, cerrs = normalizeConditions(o.WaitFor)
	errs = append(errs, cerrs...)
	errs = append(errs, normalizeHooks(&o.Hooks)...)
	if err := checkCodePage(o.ConsoleCodePage); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, normalizeHeartbeat(&o.Heartbeat)...)
	errs = append(errs, normalizeLimits(o.Limits)...)
	errs = append(errs, normalizeSched(&o)...)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, errors.Join(errs...)
}

// normalizeRestart fills in the restart defaults, copies the slices and
// the map, and reports invalid values.
func normalizeRestart(r *RestartOptions) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	switch r.Policy {
	case "":
		r.Policy = OnFailure
	case Always, OnFailure, Never:
	default:
		bad("restart policy %q: want %q, %q or %q", r.Policy, Always, OnFailure, Never)
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"restart delay", r.Delay}, {"restart max delay", r.MaxDelay}, {"restart reset after", r.ResetAfter},
		{"restart every", r.Every}} {
		if d.d < 0 {
			bad("%s %v is negative", d.name, d.d)
		}
	}
	if r.MaxFailures < 0 {
		bad("restart max failures %d is negative", r.MaxFailures)
	}
	if r.SuccessExitCodes == nil { // unset; an empty list means no code is a success
		r.SuccessExitCodes = []int{0}
	}
	r.SuccessExitCodes = slices.Clone(r.SuccessExitCodes)
	r.FatalExitCodes = slices.Clone(r.FatalExitCodes)
	r.OnExit = maps.Clone(r.OnExit)
	for _, code := range slices.Sorted(maps.Keys(r.OnExit)) {
		switch a := r.OnExit[code]; a {
		case ActionRestart, ActionStop, ActionFatal:
		default:
			bad("restart on exit %d: action %q: want %q, %q or %q", code, a, ActionRestart, ActionStop, ActionFatal)
		}
	}
	r.At = slices.Clone(r.At)
	for _, t := range r.At {
		if !t.valid() {
			bad("restart at %d:%02d: not a time of day (00:00 to 23:59)", t.Hour, t.Minute)
		}
	}
	return errs
}

// signalName returns the canonical name (TERM, INT, ...) of a stop signal
// given with or without its SIG prefix; empty means TERM.
func signalName(name string) (string, error) {
	if name == "" {
		return "TERM", nil
	}
	n := name
	if len(n) > 3 && n[:3] == "SIG" {
		n = n[3:]
	}
	if !slices.Contains(validSignals, n) {
		return "", fmt.Errorf("stop signal %q: want one of %v", name, validSignals)
	}
	return n, nil
}
