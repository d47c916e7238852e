package supervisor

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// StepKind names what one step of the stop ladder does (see StopStep).
type StepKind string

// The stop steps. Which ones this system can take is stepKinds; New and
// Update refuse the others.
const (
	// StepSignal sends StopStep.Signal to the child's process group (Unix).
	StepSignal StepKind = "signal"
	// StepCtrlC sends Ctrl-C to the child's console (Windows); on Unix it
	// sends SIGINT to the child's process group, as a terminal's Ctrl-C
	// does to its foreground group.
	StepCtrlC StepKind = "ctrl_c"
	// StepCtrlBreak sends Ctrl-Break to the child's process group on its
	// console (Windows). The child is then started in a process group of
	// its own (CREATE_NEW_PROCESS_GROUP), where Windows disables Ctrl-C:
	// the two steps exclude each other.
	StepCtrlBreak StepKind = "ctrl_break"
	// StepWMClose posts WM_CLOSE to the top-level windows of the child's
	// process tree (Windows). Skipped when the tree has no window.
	StepWMClose StepKind = "wm_close"
	// StepCloseStdin closes the child's standard input, a pipe the wrapper
	// kept open (StdinOpen), so that the child reads end of file.
	StepCloseStdin StepKind = "close_stdin"
	// StepHTTP sends an HTTP request (StopStep.Method, StopStep.URL) that
	// asks the child to stop.
	StepHTTP StepKind = "http"
	// StepCommand runs StopStep.Command, which asks the child to stop, as
	// a hook: in the child's directory with its environment, plus
	// WRAPPER_EVENT=stop and WRAPPER_CHILD_PID.
	StepCommand StepKind = "command"
)

// StopKill is StopResult.By when no step ended the child: the last step's
// timeout passed and the tree was killed. StopPreStop is By when the child
// exited while the pre_stop hook ran, before the first step.
const (
	StopKill    = "kill"
	StopPreStop = "pre_stop"
)

// eventStop is WRAPPER_EVENT for a StepCommand.
const eventStop = "stop"

// StopStep is one step of the stop ladder: a request to the child to stop,
// then a wait of Timeout for its exit before the next step (after the
// last, the kill of the whole tree). A step that cannot reach the child
// (Ctrl-C to a child without a console, WM_CLOSE without windows, an HTTP
// request whose connection is refused or whose answer is not a 2xx
// status, a command that cannot start or exits with a code other than 0)
// is skipped: the next step follows at once.
type StopStep struct {
	// Kind is what the step does; required.
	Kind StepKind
	// Signal is StepSignal's signal: TERM, INT, HUP, QUIT, USR1 or USR2
	// (an optional SIG prefix is accepted). Default (empty) TERM.
	Signal string
	// URL (http:// or https://) and Method (GET, POST, PUT, PATCH or
	// DELETE; default POST) are StepHTTP's request. Redirects are not
	// followed and no proxy is used.
	URL, Method string
	// Command is StepCommand's program and arguments, never run through a
	// shell; it is killed with its tree when Timeout passes or the child
	// exits first.
	Command []string
	// Timeout is the wait for the child's exit after the step. Default (0)
	// StopOptions.Timeout.
	Timeout time.Duration
}

// String describes the step for the log: "signal TERM 10s".
func (s StopStep) String() string {
	what := string(s.Kind)
	switch s.Kind {
	case StepSignal:
		what += " " + s.Signal
	case StepHTTP:
		what += " " + s.Method + " " + redact(s.URL)
	case StepCommand:
		if len(s.Command) > 0 {
			what += " " + s.Command[0]
		}
	}
	return what + " " + s.Timeout.String()
}

// StopResult says how the child's last graceful stop ended.
type StopResult struct {
	// Step is the 1-based index in the ladder of the step that ended the
	// child; 0 for the kill and for an exit during the pre_stop hook.
	Step int
	// By is that step's kind, StopKill or StopPreStop.
	By string
	// After is the time from the start of the stop (the pre_stop hook
	// included) to the child's exit.
	After time.Duration
	// At is when the child exited.
	At time.Time
}

// String describes the result: "step 2 (close_stdin) after 300ms".
func (r StopResult) String() string {
	after := r.After.Round(time.Millisecond)
	switch {
	case r.Step > 0:
		return fmt.Sprintf("step %d (%s) after %s", r.Step, r.By, after)
	case r.By == StopPreStop:
		return fmt.Sprintf("exited during the pre_stop hook after %s", after)
	}
	return fmt.Sprintf("killed after %s (no step ended the child)", after)
}

// stepLabel names a step kind in the log's by= attribute: with a hyphen
// (ctrl-c, wm-close, close-stdin), as the log has always spelled them.
func stepLabel(by string) string { return strings.ReplaceAll(by, "_", "-") }

// httpMethods are StopStep.Method's values.
var httpMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// normalizeSteps validates the steps against this system and stdin, and
// fills in their defaults: the signal's canonical name, POST, the timeout
// (def). It copies the list and the commands; nil stays nil (the default
// ladder, see ladderOf).
func normalizeSteps(steps []StopStep, stdin StdinMode, def time.Duration) ([]StopStep, []error) {
	if len(steps) == 0 {
		return nil, nil
	}
	out := make([]StopStep, len(steps))
	var errs []error
	bad := func(i int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("stop step %d: "+format, append([]any{i + 1}, args...)...))
	}
	for i, s := range steps {
		s.Command = slices.Clone(s.Command)
		switch {
		case !slices.Contains(stepKinds, s.Kind):
			bad(i, "%q cannot be taken on this system (it can take %s)", s.Kind, kindList())
		case s.Kind == StepSignal:
			sig, err := signalName(s.Signal)
			if err != nil {
				bad(i, "%v", err)
			}
			s.Signal = sig
		case s.Kind == StepCloseStdin && stdin != StdinOpen:
			bad(i, "close_stdin needs the standard input open (StdinOpen)")
		case s.Kind == StepHTTP:
			if s.Method == "" {
				s.Method = http.MethodPost
			}
			if !slices.Contains(httpMethods, s.Method) {
				bad(i, "http method %q: want one of %v", s.Method, httpMethods)
			}
			if !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
				bad(i, "http URL %q: want http:// or https://", redact(s.URL))
			}
		case s.Kind == StepCommand && (len(s.Command) == 0 || s.Command[0] == ""):
			bad(i, "command: empty program name")
		}
		switch {
		case s.Timeout < 0:
			bad(i, "timeout %v is negative", s.Timeout)
		case s.Timeout == 0:
			s.Timeout = def
		}
		out[i] = s
	}
	if hasKind(out, StepCtrlC) && hasKind(out, StepCtrlBreak) {
		errs = append(errs, errors.New("stop steps: ctrl_c and ctrl_break exclude each other: a child started "+
			"for Ctrl-Break is in a process group of its own, where Windows disables Ctrl-C"))
	}
	return out, errs
}

// kindList renders stepKinds for a message.
func kindList() string {
	names := make([]string, len(stepKinds))
	for i, k := range stepKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// hasKind reports whether steps hold a step of kind k.
func hasKind(steps []StopStep, k StepKind) bool {
	return slices.ContainsFunc(steps, func(s StopStep) bool { return s.Kind == k })
}

// ladderOf returns the stop ladder of o: its Steps, or when there are none
// this system's default (defaultLadder).
func ladderOf(o StopOptions) []StopStep {
	if len(o.Steps) > 0 {
		return o.Steps
	}
	return defaultLadder(o)
}

// stopSignalNames returns the signals the ladder of o sends: those whose
// inherited ignore deliverStopSignal must undo. Ctrl-C is SIGINT on Unix.
func stopSignalNames(o StopOptions) []string {
	var names []string
	for _, s := range ladderOf(o) {
		switch s.Kind {
		case StepSignal:
			names = append(names, s.Signal)
		case StepCtrlC:
			names = append(names, "INT")
		}
	}
	return names
}

// stopMove is the loop's next move in a stop ladder.
type stopMove struct {
	// take is the step to take now: an index of the steps, len(steps) for
	// the kill of the tree, or -1 for nothing (an outcome that came late).
	take int
	// wait is how long to wait for the child's exit after taking it; 0
	// after the kill, whose exit ends the ladder.
	wait time.Duration
}

// nextStop decides the move after an outcome of step done while step cur
// is in effect: the ladder begins with done = cur = -1; a step whose
// timeout passed, or that was skipped, is followed by the next one. An
// outcome for a step other than cur comes from a step already left behind
// (an http request or a command that failed after the ladder moved on) and
// changes nothing, as does any outcome once the kill was taken.
func nextStop(steps []StopStep, cur, done int) stopMove {
	if done != cur || cur >= len(steps) {
		return stopMove{take: -1}
	}
	next := cur + 1
	if next == len(steps) {
		return stopMove{take: next}
	}
	return stopMove{take: next, wait: steps[next].Timeout}
}

// creditStop says what ended a stop at exit time at: step cur of steps was
// in effect (-1: none yet, the pre_stop hook ran; len(steps): the kill),
// and the stop began at began.
func creditStop(steps []StopStep, cur int, began, at time.Time) StopResult {
	r := StopResult{After: max(0, at.Sub(began)), At: at}
	switch {
	case cur < 0:
		r.By = StopPreStop
	case cur >= len(steps):
		r.By = StopKill
	default:
		r.Step, r.By = cur+1, string(steps[cur].Kind)
	}
	return r
}
