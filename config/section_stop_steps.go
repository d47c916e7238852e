package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// defaultStepMethod is the default of stop.steps[].method.
const defaultStepMethod = "POST"

// The values of StopStep.Kind: the key that names the step.
const (
	StepSignal     = "signal"
	StepCtrlC      = "ctrl_c"
	StepCtrlBreak  = "ctrl_break"
	StepWMClose    = "wm_close"
	StepCloseStdin = "close_stdin"
	StepHTTP       = "http"
	StepCommand    = "command"
)

// StopStep is one stop.steps item: exactly one request to the child, and
// its timeout.
type StopStep struct {
	// Kind is what the step does: StepSignal (Unix), StepCtrlC, StepCtrlBreak
	// and StepWMClose (Windows), StepCloseStdin (needs stdin: open),
	// StepHTTP or StepCommand.
	Kind string
	// Signal is StepSignal's signal, as Stop.Signal.
	Signal string
	// HTTP is StepHTTP's http:// or https:// URL; Method its method: GET,
	// POST, PUT, PATCH or DELETE. Default: POST.
	HTTP, Method string
	// Command is StepCommand's program and arguments; Command[0] is
	// resolved like Executable.
	Command []string
	// Timeout is the wait for the child's exit after the step. More than
	// 0. Default: Stop.Timeout.
	Timeout time.Duration
}

// rawStep is one stop.steps item; line and key (stop.steps[i]) are the
// item's; noisy records that decoding it already reported a problem.
type rawStep struct {
	line                                  int
	key                                   string
	noisy                                 bool
	signal, http, method                  val[string]
	ctrlC, ctrlBreak, wmClose, closeStdin val[bool]
	command                               val[[]val[string]]
	timeout                               val[time.Duration]
}

// httpMethods are the values stop.steps[].method accepts.
var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// stepFields are the keys of one stop.steps item.
func stepFields(s *rawStep) []field {
	return []field{
		{name: "signal", decode: enum(&s.signal, signals, normSignal)},
		{name: "ctrl_c", decode: boolean(&s.ctrlC)},
		{name: "ctrl_break", decode: boolean(&s.ctrlBreak)},
		{name: "wm_close", decode: boolean(&s.wmClose)},
		{name: "close_stdin", decode: boolean(&s.closeStdin)},
		{name: "http", decode: str(&s.http)},
		{name: "method", decode: enum(&s.method, httpMethods, strings.ToUpper)},
		{name: "command", decode: command(&s.command)},
		{name: "timeout", decode: duration(&s.timeout)},
	}
}

// stopSteps decodes the stop.steps list of mappings.
func stopSteps(p *val[[]*rawStep]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) ([]*rawStep, bool) {
		if n.Kind != yaml.SequenceNode {
			d.ps.add(n.Line, key, "expected a list of steps such as `- {signal: INT, timeout: 5s}`, got %s", describe(n))
			return nil, false
		}
		out := make([]*rawStep, 0, len(n.Content))
		for i, e := range n.Content {
			e = deref(e)
			k := fmt.Sprintf("%s[%d]", key, i)
			if e.Kind != yaml.MappingNode {
				d.ps.add(e.Line, k, "expected a mapping such as `{close_stdin: true, timeout: 5s}`, got %s", describe(e))
				continue
			}
			s := &rawStep{line: e.Line, key: k}
			before := len(d.ps.list)
			d.mapping(k, e, stepFields(s))
			s.noisy = len(d.ps.list) > before
			out = append(out, s)
		}
		return out, true
	})
}

// stopStep resolves one stop.steps item, checking that this system can
// take it; false when it is wrong (reported). def is stop.timeout.
func (rs *resolver) stopStep(s *rawStep, stdin Stdin, def time.Duration) (StopStep, bool) {
	key := s.key
	rs.positive(s.timeout, key+".timeout")
	flag := func(v val[bool]) val[string] { return val[string]{line: v.line, set: v.set, bad: v.bad} }
	alts := []alt{{name: StepSignal, v: s.signal}, {name: StepCtrlC, v: flag(s.ctrlC)},
		{name: StepCtrlBreak, v: flag(s.ctrlBreak)}, {name: StepWMClose, v: flag(s.wmClose)},
		{name: StepCloseStdin, v: flag(s.closeStdin)}, {name: StepHTTP, v: s.http}, {name: StepCommand, cmd: s.command}}
	if !rs.oneOf(key, s.line, s.noisy, alts) {
		return StopStep{}, false
	}
	st := StopStep{Timeout: or(s.timeout, def)}
	ok := true
	for _, f := range []struct {
		kind string
		v    val[bool]
	}{{StepCtrlC, s.ctrlC}, {StepCtrlBreak, s.ctrlBreak}, {StepWMClose, s.wmClose}, {StepCloseStdin, s.closeStdin}} {
		if f.v.set {
			st.Kind = f.kind
			if !f.v.v {
				rs.ps.add(f.v.line, key+"."+f.kind, "must be true (leave the step out to skip it)")
				ok = false
			}
		}
	}
	switch {
	case s.signal.set:
		st.Kind, st.Signal = StepSignal, s.signal.v
	case s.http.set:
		st.Kind, st.HTTP, st.Method = StepHTTP, rs.httpURL(s.http, key+".http"), or(s.method, defaultStepMethod)
		ok = ok && st.HTTP != ""
	case s.command.set:
		st.Kind, st.Command = StepCommand, rs.command(s.command, key+".command")
		ok = ok && st.Command != nil
	}
	if written(s.method) && st.Kind != StepHTTP {
		rs.ps.add(s.method.line, key+".method", "only with http (the method of its request)")
	}
	return st, ok && st.Kind != "" && rs.stepApplies(s, st.Kind, stdin)
}

// stepApplies reports, for a step of kind, what keeps this system from
// taking it: a signal on Windows, a console event other than Ctrl-C or a
// window message elsewhere, close_stdin without stdin: open. Unix takes
// ctrl_c as SIGINT to the child's process group, as a terminal sends it.
func (rs *resolver) stepApplies(s *rawStep, kind string, stdin Stdin) bool {
	line := map[string]int{StepSignal: s.signal.line, StepCtrlBreak: s.ctrlBreak.line, StepWMClose: s.wmClose.line,
		StepCloseStdin: s.closeStdin.line}[kind]
	var msg string
	switch {
	case kind == StepSignal && rs.windows:
		msg = "Windows has no signals: use ctrl_c, ctrl_break or wm_close"
	case kind == StepCtrlBreak && !rs.windows:
		msg = "Windows only (a console event): on Unix use {signal: ...} (ctrl_c is SIGINT there)"
	case kind == StepWMClose && !rs.windows:
		msg = "Windows only (a window message): on Unix use {signal: ...}"
	case kind == StepCloseStdin && stdin.Mode != StdinOpen:
		msg = "needs stdin: open (the pipe this step closes)"
	default:
		return true
	}
	rs.ps.add(line, s.key+"."+kind, "%s", msg)
	return false
}

// ctrlExclusive refuses ctrl_c and ctrl_break in one list (Windows; the
// other systems refused ctrl_break already): the child of a ctrl_break
// step starts in a process group of its own, where Windows disables
// Ctrl-C.
func (rs *resolver) ctrlExclusive(steps []*rawStep) {
	if !rs.windows {
		return
	}
	var first *rawStep
	var firstKind string
	for _, s := range steps {
		kind, line := StepCtrlC, s.ctrlC.line
		switch {
		case s.ctrlBreak.set:
			kind, line = StepCtrlBreak, s.ctrlBreak.line
		case !s.ctrlC.set:
			continue
		}
		switch {
		case first == nil:
			first, firstKind = s, kind
		case kind != firstKind:
			rs.ps.add(line, s.key+"."+kind, "excludes %s (%s): a child started for Ctrl-Break is in a process group "+
				"of its own, where Windows disables Ctrl-C", firstKind, first.key)
			return
		}
	}
}
