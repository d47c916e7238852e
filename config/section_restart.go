package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Restart policies accepted by restart.policy.
const (
	PolicyAlways    = "always"     // restart after every exit, successful or not
	PolicyOnFailure = "on-failure" // restart only after an exit code not in SuccessExitCodes
	PolicyNever     = "never"      // never restart
)

// policies are the values restart.policy accepts, in the order messages
// and the schema list them.
var policies = []string{PolicyAlways, PolicyOnFailure, PolicyNever}

// Actions accepted as values of restart.on_exit.
const (
	ActionRestart = "restart" // restart whatever the policy
	ActionStop    = "stop"    // end the wrapper with exit code 0
	ActionFatal   = "fatal"   // end the wrapper with exit code 3
)

// exitActions are the values restart.on_exit accepts, in the order
// messages and the schema list them.
var exitActions = []string{ActionRestart, ActionStop, ActionFatal}

// Defaults of the restart keys whose default is not the zero value.
const (
	defaultDelay       = time.Second
	defaultMaxDelay    = time.Minute
	defaultResetAfter  = time.Minute
	defaultMaxFailures = 10
)

// Restart is the restart policy of the supervised program.
type Restart struct {
	// Policy is PolicyAlways, PolicyOnFailure or PolicyNever.
	// Default: PolicyOnFailure.
	Policy string
	// Delay is the wait before the first restart; it doubles per
	// consecutive failure up to MaxDelay. Default: 1s; 0 allowed.
	Delay time.Duration
	// MaxDelay caps the backoff; always >= Delay. Default: the larger of
	// 1m and Delay.
	MaxDelay time.Duration
	// ResetAfter is how long a child must run to reset the failure count
	// and the backoff. Default: 1m.
	ResetAfter time.Duration
	// MaxFailures is the number of consecutive failures after which the
	// wrapper gives up; 0 means never give up. Default: 10.
	MaxFailures int
	// SuccessExitCodes are the exit codes that count as success.
	// Default: [0].
	SuccessExitCodes []int
	// FatalExitCodes are exit codes after which the child is never
	// restarted, whatever the policy. Disjoint from SuccessExitCodes.
	// Default: none (empty, non-nil).
	FatalExitCodes []int
	// OnExit maps exit codes to ActionRestart, ActionStop or ActionFatal,
	// which replace the policy for those codes. ActionRestart restarts
	// without counting a failure after a code in SuccessExitCodes, and as
	// a failure after any other code. A code's action may not contradict
	// the lists: restart and stop not for a code in FatalExitCodes, fatal
	// not for a code written in success_exit_codes. Default: none (empty,
	// non-nil).
	OnExit map[int]string
	// Every restarts the program gracefully once it has run this long;
	// the restart is not a failure. 0 means never. Default: 0.
	Every time.Duration
	// At are local times of day at which the program is restarted
	// gracefully every day (skipped while it is not running), in the order
	// written, without repeats. Default: none (empty, non-nil).
	At []TimeOfDay
}

// TimeOfDay is a wall-clock time of day, local time.
type TimeOfDay struct {
	Hour   int // 0 to 23
	Minute int // 0 to 59
}

// String returns the time as HH:MM.
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// rawRestart is the restart section as written.
type rawRestart struct {
	policy                      val[string]
	delay, maxDelay, resetAfter val[time.Duration]
	maxFailures                 val[int]
	success, fatal              val[[]val[int]]
	onExit                      val[[]exitAction]
	every                       val[time.Duration]
	at                          val[[]val[TimeOfDay]]
}

// exitAction is one entry of restart.on_exit as written.
type exitAction struct {
	code   int
	action string
	line   int
}

// restartField is the restart section's entry in the field table.
func restartField(r *rawRestart) field {
	return field{name: "restart", sub: []field{
		{name: "policy", decode: enum(&r.policy, policies, nil)},
		{name: "delay", decode: duration(&r.delay)},
		{name: "max_delay", decode: duration(&r.maxDelay)},
		{name: "reset_after", decode: duration(&r.resetAfter)},
		{name: "max_failures", decode: count(&r.maxFailures)},
		{name: "success_exit_codes", decode: exitCodes(&r.success)},
		{name: "fatal_exit_codes", decode: exitCodes(&r.fatal)},
		{name: "on_exit", decode: exitActionMap(&r.onExit)},
		{name: "every", decode: duration(&r.every)},
		{name: "at", decode: timesOfDay(&r.at)},
	}}
}

// timeOfDayRule is HH:MM (or H:MM), 24-hour.
var timeOfDayRule = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// timesOfDay decodes restart.at, a list of "HH:MM" strings without
// repeats.
func timesOfDay(p *val[[]val[TimeOfDay]]) decodeFunc {
	return func(d *decoder, key string, n *yaml.Node) {
		seen := map[TimeOfDay]int{}
		list(p, "times of day", func(d *decoder, key string, n *yaml.Node) (TimeOfDay, bool) {
			m := timeOfDayRule.FindStringSubmatch(n.Value)
			if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || m == nil {
				d.ps.add(n.Line, key, "expected a time of day such as \"03:00\" (HH:MM, 24-hour, local time), got %s", quoteScalar(n))
				return TimeOfDay{}, false
			}
			h, _ := strconv.Atoi(m[1])
			mi, _ := strconv.Atoi(m[2])
			t := TimeOfDay{Hour: h, Minute: mi}
			if first, dup := seen[t]; dup {
				d.ps.add(n.Line, key, "duplicate time %s (first at line %d)", t, first)
				return TimeOfDay{}, false
			}
			seen[t] = n.Line
			return t, true
		})(d, key, n)
	}
}

// quoteScalar describes a node for a message, quoting a scalar's text.
func quoteScalar(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		return fmt.Sprintf("%q", n.Value)
	}
	return describe(n)
}

// exitActionMap decodes restart.on_exit, a mapping of exit codes (YAML
// integers) to actions.
func exitActionMap(p *val[[]exitAction]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) ([]exitAction, bool) {
		if n.Kind != yaml.MappingNode {
			d.ps.add(n.Line, key, "expected a mapping of exit codes to actions such as `{75: stop}`, got %s", describe(n))
			return nil, false
		}
		var out []exitAction
		seen := map[int]int{}
		ok := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := deref(n.Content[i]), deref(n.Content[i+1])
			code, good := actionCode(d, key, k)
			path := joinKey(key, k.Value)
			if good {
				if first, dup := seen[code]; dup {
					d.ps.add(k.Line, path, "duplicate exit code %d (first at line %d)", code, first)
					good = false
				}
				seen[code] = k.Line
			}
			var action val[string]
			enum(&action, exitActions, nil)(d, path, v)
			if !action.set && !action.bad {
				d.ps.add(v.Line, path, "expected an action, got null: want %s", orList(exitActions))
			}
			if good && action.set {
				out = append(out, exitAction{code: code, action: action.v, line: k.Line})
			}
			ok = ok && good && action.set
		}
		return out, ok
	})
}

// actionCode decodes a key of restart.on_exit, which must be an exit code
// written as a YAML integer.
func actionCode(d *decoder, parent string, k *yaml.Node) (int, bool) {
	if k.Kind != yaml.ScalarNode {
		d.ps.add(k.Line, parent, "a key must be an exit code, a whole number from 0 to %d, got %s", int64(maxExitCode), describe(k))
		return 0, false
	}
	if k.ShortTag() != "!!int" {
		hint := ""
		if k.ShortTag() == "!!str" && isDigits(k.Value) {
			hint = " (write it without quotes)"
		}
		d.ps.add(k.Line, joinKey(parent, k.Value), "a key must be an exit code, a whole number from 0 to %d, got %s%s",
			int64(maxExitCode), describe(k), hint)
		return 0, false
	}
	return exitCode(d, joinKey(parent, k.Value), k)
}

// isDigits reports a non-empty string of ASCII digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// restart applies defaults to the restart section and cross-checks it.
func (rs *resolver) restart(r *rawRestart) Restart {
	out := Restart{
		Policy:           or(r.policy, PolicyOnFailure),
		Delay:            or(r.delay, defaultDelay),
		ResetAfter:       or(r.resetAfter, defaultResetAfter),
		MaxFailures:      or(r.maxFailures, defaultMaxFailures),
		SuccessExitCodes: []int{0},
		FatalExitCodes:   []int{},
	}
	// An unset max_delay follows a delay above the 1m default rather than
	// making the user's delay an error.
	out.MaxDelay = or(r.maxDelay, max(defaultMaxDelay, out.Delay))
	if r.maxDelay.set && !r.delay.bad && out.MaxDelay < out.Delay {
		rs.ps.add(r.maxDelay.line, "restart.max_delay", "must be at least restart.delay (%v), got %v", out.Delay, out.MaxDelay)
	}
	if r.success.set {
		out.SuccessExitCodes = values(r.success.v)
	}
	if r.fatal.set {
		out.FatalExitCodes = values(r.fatal.v)
	}
	for i, c := range r.fatal.v {
		if r.fatal.set && !r.success.bad && slices.Contains(out.SuccessExitCodes, c.v) {
			rs.ps.add(c.line, fmt.Sprintf("restart.fatal_exit_codes[%d]", i), "exit code %d is also in restart.success_exit_codes", c.v)
		}
	}
	out.OnExit = rs.onExit(r, out)
	out.Every = or(r.every, 0)
	out.At = values(r.at.v)
	return out
}

// onExit resolves restart.on_exit: an action may not contradict the
// lists. A code left to the default success_exit_codes ([0]) may be
// fatal: nothing written contradicts it.
func (rs *resolver) onExit(r *rawRestart, out Restart) map[int]string {
	m := make(map[int]string, len(r.onExit.v))
	for _, a := range r.onExit.v {
		m[a.code] = a.action
		key := fmt.Sprintf("restart.on_exit.%d", a.code)
		switch {
		case a.action != ActionFatal && r.fatal.set && slices.Contains(out.FatalExitCodes, a.code):
			rs.ps.add(a.line, key, "%s contradicts restart.fatal_exit_codes (line %d), which lists exit code %d",
				a.action, r.fatal.line, a.code)
		case a.action == ActionFatal && r.success.set && slices.Contains(out.SuccessExitCodes, a.code):
			rs.ps.add(a.line, key, "fatal contradicts restart.success_exit_codes (line %d), which lists exit code %d",
				r.success.line, a.code)
		}
	}
	return m
}
