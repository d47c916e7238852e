package scm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// RecoveryAction is one of the SCM's failure actions, as service.recovery
// gives it: what the SCM does after the wrapper's Nth consecutive failure
// (the last repeats).
type RecoveryAction struct {
	Kind    string        // "restart", "run" or "reboot"
	Delay   time.Duration // the wait before the action
	Command []string      // run: the program and its arguments
	Message string        // reboot: broadcast to the machine's users first
}

// SC_ACTION types (winsvc.h), repeated here so that the mapping builds and
// is tested on every platform.
const (
	scActionNone       = 0
	scActionRestart    = 1
	scActionReboot     = 2
	scActionRunCommand = 3
)

// scAction is SC_ACTION in plain values.
type scAction struct {
	Type        uint32
	DelayMillis uint32
}

// failureActions is SERVICE_FAILURE_ACTIONS in plain values. Command and
// RebootMsg are always set: "" deletes what an earlier install stored (the
// SCM keeps a NULL pointer's old value).
type failureActions struct {
	ResetSeconds uint32
	Actions      []scAction // none: the SCM deletes the actions and the reset period
	Command      string     // lpCommand: the run actions' command line
	RebootMsg    string     // lpRebootMsg
}

// failureActionsOf maps service.recovery and recovery_reset to the SCM's
// failure actions. compose turns a command and its arguments into one
// command line (windows.ComposeCommandLine). The SCM keeps one command and
// one reboot message for all actions: different ones are an error, which
// config reports first with the lines.
func failureActionsOf(actions []RecoveryAction, reset time.Duration, compose func([]string) string) (failureActions, error) {
	fa := failureActions{ResetSeconds: uint32(min(max(reset, 0)/time.Second, math.MaxUint32))}
	var command []string
	rebootMsg := ""
	for i, a := range actions {
		if a.Delay < 0 || a.Delay > math.MaxUint32*time.Millisecond {
			return failureActions{}, fmt.Errorf("recovery[%d]: delay %v out of range", i, a.Delay)
		}
		act := scAction{DelayMillis: uint32(a.Delay / time.Millisecond)}
		switch a.Kind {
		case "restart":
			act.Type = scActionRestart
		case "run":
			if len(a.Command) == 0 {
				return failureActions{}, fmt.Errorf("recovery[%d]: a run action without a command", i)
			}
			if command != nil && !slices.Equal(command, a.Command) {
				return failureActions{}, fmt.Errorf("recovery[%d]: a second, different command: the SCM keeps one for all run actions", i)
			}
			act.Type, command = scActionRunCommand, a.Command
		case "reboot":
			if act.Type = scActionReboot; slices.ContainsFunc(actions[:i], func(b RecoveryAction) bool {
				return b.Kind == "reboot" && b.Message != a.Message
			}) {
				return failureActions{}, fmt.Errorf("recovery[%d]: a second, different reboot message: the SCM keeps one", i)
			}
			rebootMsg = a.Message
		default:
			return failureActions{}, fmt.Errorf("recovery[%d]: unknown action %q", i, a.Kind)
		}
		fa.Actions = append(fa.Actions, act)
	}
	if command != nil {
		fa.Command = compose(command)
	}
	fa.RebootMsg = rebootMsg
	return fa, nil
}

// hasReboot reports whether fa reboots: setting such actions needs the
// caller's SeShutdownPrivilege.
func (fa failureActions) hasReboot() bool {
	return slices.ContainsFunc(fa.Actions, func(a scAction) bool { return a.Type == scActionReboot })
}

// errNoReboot is the error for a reboot action the installing account may
// not set.
var errNoReboot = errors.New("a reboot action needs SeShutdownPrivilege, which the installing account lacks")

// failureDrift compares failure actions. The reset period counts only
// with actions: the SCM deletes it with them.
func failureDrift(got, want failureActions) []string {
	var d []string
	if !slices.Equal(got.Actions, want.Actions) {
		d = append(d, fmt.Sprintf("recovery actions are %s, the YAML says %s", describeActions(got.Actions), describeActions(want.Actions)))
	}
	if len(want.Actions) > 0 && got.ResetSeconds != want.ResetSeconds {
		d = append(d, fmt.Sprintf("recovery reset is %v, the YAML says %v",
			time.Duration(got.ResetSeconds)*time.Second, time.Duration(want.ResetSeconds)*time.Second))
	}
	if got.Command != want.Command && slices.ContainsFunc(want.Actions, func(a scAction) bool { return a.Type == scActionRunCommand }) {
		d = append(d, fmt.Sprintf("recovery command is %q, the YAML gives %q", got.Command, want.Command))
	}
	if got.RebootMsg != want.RebootMsg && want.hasReboot() {
		d = append(d, fmt.Sprintf("reboot message is %q, the YAML gives %q", got.RebootMsg, want.RebootMsg))
	}
	return d
}

// describeActions spells SC_ACTIONs as the YAML writes them.
func describeActions(actions []scAction) string {
	if len(actions) == 0 {
		return "none"
	}
	parts := make([]string, len(actions))
	for i, a := range actions {
		delay := time.Duration(a.DelayMillis) * time.Millisecond
		switch a.Type {
		case scActionRestart:
			parts[i] = delay.String()
		case scActionRunCommand:
			parts[i] = "run after " + delay.String()
		case scActionReboot:
			parts[i] = "reboot after " + delay.String()
		case scActionNone:
			parts[i] = "none"
		default:
			parts[i] = fmt.Sprintf("action %d after %v", a.Type, delay)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
