package config

import (
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
	// before its process tree is killed. Default: 10s.
	Timeout time.Duration
	// Signal is the Unix stop signal without the SIG prefix: TERM, INT,
	// HUP, QUIT, USR1 or USR2. Default: TERM.
	Signal string
	// WindowTimeout is how long the Windows WM_CLOSE step waits before the
	// next step of the stop ladder. Default: 2s.
	WindowTimeout time.Duration
}

// rawStop is the stop section as written.
type rawStop struct {
	timeout, windowTimeout val[time.Duration]
	signal                 val[string]
}

// stopField is the stop section's entry in the field table.
func stopField(r *rawStop) field {
	return field{name: "stop", sub: []field{
		{name: "timeout", decode: duration(&r.timeout)},
		{name: "signal", decode: enum(&r.signal, signals, normSignal)},
		{name: "window_timeout", decode: duration(&r.windowTimeout)},
	}}
}

// normSignal accepts TERM, term, SIGTERM and sigterm alike.
func normSignal(s string) string {
	return strings.TrimPrefix(strings.ToUpper(s), "SIG")
}

// stop applies defaults to the stop section; the decoder checked its values.
func (rs *resolver) stop(r *rawStop) Stop {
	return Stop{
		Timeout:       or(r.timeout, defaultStopTimeout),
		Signal:        or(r.signal, defaultStopSignal),
		WindowTimeout: or(r.windowTimeout, defaultWindowTimeout),
	}
}
