package config

// service.recovery: what the service manager does after the wrapper itself
// fails, one entry per failure (the last repeats). An entry is a duration
// (restart the wrapper after it) or a mapping ({run: [...], after: 1m},
// {reboot: 10m, message: ...}); the mapping's keys are decoded by the
// decoder's own walk, so that unknown keys are reported as everywhere.

import (
	"fmt"
	"math"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

// Recovery actions of service.recovery.
const (
	RecoveryRestart = "restart" // start the wrapper again (an entry written as a duration)
	RecoveryRun     = "run"     // Windows: run a command
	RecoveryReboot  = "reboot"  // Windows: restart the computer
)

// defaultRecovery are the service manager's restart delays after the
// wrapper itself fails.
var defaultRecovery = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute}

// maxRecovery is the largest service manager delay: Windows stores it in
// milliseconds in a 32-bit field.
const maxRecovery = math.MaxUint32 * time.Millisecond

// RecoveryAction is one service.recovery entry: what the service manager
// does after the wrapper's Nth consecutive failure.
type RecoveryAction struct {
	// Action is RecoveryRestart, RecoveryRun or RecoveryReboot.
	Action string
	// Delay is how long the service manager waits before it acts: a
	// restart's duration, run's `after` (default 0), reboot's value. At
	// most 2^32-1 ms.
	Delay time.Duration
	// Command is a run action's program, resolved like executable, and its
	// arguments. Every run action of a service has the same command (the
	// SCM keeps one).
	Command []string
	// Message is a reboot action's message to the machine's users before
	// the reboot; every reboot action has the same (the SCM keeps one).
	// Default: "".
	Message string
}

// rawRecovery is one service.recovery entry as written: restart for a
// duration, the other fields for a mapping.
type rawRecovery struct {
	line          int
	key           string
	noisy         bool // decoding it reported a problem already
	restart       val[time.Duration]
	run           val[[]val[string]]
	after, reboot val[time.Duration]
	message       val[string]
}

// recoveryFields are the keys of one service.recovery mapping.
func recoveryFields(r *rawRecovery) []field {
	return []field{
		{name: "run", decode: command(&r.run)},
		{name: "after", decode: duration(&r.after)},
		{name: "reboot", decode: duration(&r.reboot)},
		{name: "message", decode: str(&r.message)},
		// Not a key: named only to point the likely mistake at the
		// right key, rather than at restart.delay.
		{name: "delay", decode: func(d *decoder, key string, n *yaml.Node) {
			d.ps.add(n.Line, key, "unknown key (a run entry waits `after: 1m`; a reboot's delay is its value: `reboot: 10m`)")
		}},
	}
}

// recoveryList decodes service.recovery: a list of durations and mappings.
func recoveryList(p *val[[]*rawRecovery]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) ([]*rawRecovery, bool) {
		if n.Kind != yaml.SequenceNode {
			d.ps.add(n.Line, key, "expected a list of durations (restart after it), {run: [...]} or {reboot: ...}, got %s", describe(n))
			return nil, false
		}
		out := make([]*rawRecovery, 0, len(n.Content))
		for i, e := range n.Content {
			e = deref(e)
			r := &rawRecovery{line: e.Line, key: fmt.Sprintf("%s[%d]", key, i)}
			before := len(d.ps.list)
			switch {
			case e.Kind == yaml.MappingNode:
				d.mapping(r.key, e, recoveryFields(r))
			case e.Kind == yaml.ScalarNode && !isNull(e):
				leaf(&r.restart, asDuration)(d, r.key, e)
			default:
				d.ps.add(e.Line, r.key, "expected a duration (restart after it), {run: [...]} or {reboot: ...}, got %s", describe(e))
			}
			r.noisy = len(d.ps.list) > before
			out = append(out, r)
		}
		return out, true
	})
}

// recovery resolves service.recovery. Run and reboot actions exist on
// Windows only: elsewhere they are refused rather than dropped, since a
// reboot the YAML relies on would silently never happen (systemd restarts
// the wrapper after the first delay and has no per-failure actions).
func (rs *resolver) recovery(v val[[]*rawRecovery]) []RecoveryAction {
	if !v.set {
		out := make([]RecoveryAction, len(defaultRecovery))
		for i, d := range defaultRecovery {
			out[i] = RecoveryAction{Action: RecoveryRestart, Delay: d}
		}
		return out
	}
	out := make([]RecoveryAction, 0, len(v.v))
	// The SCM keeps one command for all run actions and one reboot
	// message: the first entry of each kind sets it, the others must agree.
	firsts := map[string]*rawRecovery{}
	for _, r := range v.v {
		a, ok := rs.recoveryAction(r)
		if !ok {
			continue
		}
		if a.Action != RecoveryRestart && !rs.windows {
			rs.ps.add(r.line, r.key, "%s actions are Windows only: systemd restarts the wrapper after the first "+
				"duration and has no per-failure actions (write durations only)", a.Action)
			continue
		}
		i := slices.IndexFunc(out, func(b RecoveryAction) bool { return b.Action == a.Action })
		switch {
		case i < 0:
			firsts[a.Action] = r
		case a.Action == RecoveryRun && !slices.Equal(a.Command, out[i].Command):
			rs.ps.add(r.run.line, r.key+".run", "differs from the command of %s: the service manager keeps one command for all run actions",
				firsts[a.Action].key)
		case a.Action == RecoveryReboot && a.Message != out[i].Message:
			rs.ps.add(max(r.message.line, r.line), r.key+".message", "differs from the message of %s: the service manager keeps one reboot message",
				firsts[a.Action].key)
		}
		out = append(out, a)
	}
	return out
}

// recoveryAction resolves one entry; false when it is wrong (reported).
func (rs *resolver) recoveryAction(r *rawRecovery) (RecoveryAction, bool) {
	if r.restart.set {
		return RecoveryAction{Action: RecoveryRestart, Delay: r.restart.v}, rs.recoveryDelay(r.restart, r.key)
	}
	if r.noisy || !rs.oneOf(r.key, r.line, false, []alt{{name: "run", cmd: r.run}, {name: "reboot", v: durationAlt(r.reboot)}}) {
		return RecoveryAction{}, false
	}
	ok := true
	misplaced := func(v bool, line int, key, why string) {
		if v {
			rs.ps.add(line, r.key+"."+key, "%s", why)
			ok = false
		}
	}
	if r.run.set {
		misplaced(written(r.message), r.message.line, "message", "belongs to reboot entries")
		a := RecoveryAction{Action: RecoveryRun, Delay: or(r.after, 0), Command: rs.command(r.run, r.key+".run")}
		return a, ok && rs.recoveryDelay(r.after, r.key+".after") && a.Command != nil
	}
	misplaced(written(r.after), r.after.line, "after", "belongs to run entries (a reboot's delay is its value: reboot: 10m)")
	msg := ""
	if r.message.set && rs.singleLine(r.message, r.key+".message", 1024) {
		msg = r.message.v
	}
	return RecoveryAction{Action: RecoveryReboot, Delay: r.reboot.v, Message: msg}, ok && rs.recoveryDelay(r.reboot, r.key+".reboot")
}

// durationAlt presents a duration to oneOf, which looks at presence only.
func durationAlt(d val[time.Duration]) val[string] {
	return val[string]{line: d.line, set: d.set, bad: d.bad}
}

// recoveryDelay checks a delay against the SCM's limit.
func (rs *resolver) recoveryDelay(d val[time.Duration], key string) bool {
	if d.v > maxRecovery {
		rs.ps.add(d.line, key, "too long (%v, at most %v)", d.v, maxRecovery)
		return false
	}
	return true
}

// RecoveryDelays are the delays of the restart actions of service.recovery
// (on Linux, every action is one).
func (s Service) RecoveryDelays() []time.Duration {
	var out []time.Duration
	for _, a := range s.Recovery {
		if a.Action == RecoveryRestart {
			out = append(out, a.Delay)
		}
	}
	return out
}

// recoveryCommand is the command of the run actions, or nil.
func (s Service) recoveryCommand() []string {
	for _, a := range s.Recovery {
		if a.Action == RecoveryRun {
			return a.Command
		}
	}
	return nil
}
