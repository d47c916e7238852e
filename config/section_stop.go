package config

import (
	"math"
	"strings"
	"time"
)

// signals are the values stop.signal accepts after normSignal.
var signals = []string{"TERM", "INT", "HUP", "QUIT", "USR1", "USR2"}

// Defaults of the stop keys.
const (
	defaultStopSignal    = "TERM"
	defaultStopTimeout   = 10 * time.Second
	defaultWindowTimeout = 2 * time.Second
)

// Stop describes how the child is asked to stop before it is killed.
type Stop struct {
	// Timeout is how long the child gets to exit after the stop request
	// before its process tree is killed, without Steps; with Steps, the
	// timeout of a step that has none. Default: 10s.
	Timeout time.Duration
	// Signal is the Unix stop signal without the SIG prefix: TERM, INT,
	// HUP, QUIT, USR1 or USR2. Default: TERM.
	Signal string
	// WindowTimeout is how long the Windows WM_CLOSE step waits before the
	// next step of the stop ladder. Default: 2s.
	WindowTimeout time.Duration
	// Steps replace the default stop ladder (Signal, or on Windows Ctrl-C
	// and WM_CLOSE) when not empty: each is taken in order and waited for
	// its Timeout; after the last the tree is killed. Default: none (empty,
	// non-nil).
	Steps []StopStep
}

// StepsTimeout is the longest the steps wait in all: the sum of their
// timeouts, saturated rather than overflowing; 0 without steps.
func (s Stop) StepsTimeout() time.Duration {
	var d time.Duration
	for _, st := range s.Steps {
		if st.Timeout > math.MaxInt64-d {
			return math.MaxInt64
		}
		d += st.Timeout
	}
	return d
}

// commands returns the commands of the command steps.
func (s Stop) commands() [][]string {
	var out [][]string
	for _, st := range s.Steps {
		if st.Kind == StepCommand {
			out = append(out, st.Command)
		}
	}
	return out
}

// rawStop is the stop section as written.
type rawStop struct {
	timeout, windowTimeout val[time.Duration]
	signal                 val[string]
	steps                  val[[]*rawStep]
}

// stopField is the stop section's entry in the field table.
func stopField(r *rawStop) field {
	return field{name: "stop", sub: []field{
		{name: "timeout", decode: duration(&r.timeout)},
		{name: "signal", decode: enum(&r.signal, signals, normSignal)},
		{name: "window_timeout", decode: duration(&r.windowTimeout)},
		// The items' keys are not in the field table: some exist on one
		// system only, so no file shows them all (examples/complete.yaml
		// must load everywhere); docs/config.md lists them (Stop steps).
		{name: "steps", decode: stopSteps(&r.steps)},
	}}
}

// normSignal accepts TERM, term, SIGTERM and sigterm alike.
func normSignal(s string) string {
	return strings.TrimPrefix(strings.ToUpper(s), "SIG")
}

// stop applies defaults to the stop section and resolves its steps; the
// decoder checked the values. stdin is the resolved stdin key.
func (rs *resolver) stop(r *rawStop, stdin Stdin) Stop {
	out := Stop{
		Timeout:       or(r.timeout, defaultStopTimeout),
		Signal:        or(r.signal, defaultStopSignal),
		WindowTimeout: or(r.windowTimeout, defaultWindowTimeout),
		Steps:         []StopStep{},
	}
	if !written(r.steps) {
		return out
	}
	if r.steps.set && len(r.steps.v) == 0 {
		rs.ps.add(r.steps.line, "stop.steps", "must not be empty (remove the key for the default steps)")
	}
	for _, v := range []struct {
		name string
		line int
	}{{"signal", r.signal.line}, {"window_timeout", r.windowTimeout.line}} {
		if v.line != 0 {
			rs.ps.add(v.line, "stop."+v.name, "has no effect with stop.steps, which replace the default steps (write it as a step)")
		}
	}
	for _, s := range r.steps.v {
		if st, ok := rs.stopStep(s, stdin, out.Timeout); ok {
			out.Steps = append(out.Steps, st)
		}
	}
	rs.ctrlExclusive(r.steps.v)
	return out
}
