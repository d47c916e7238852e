package config

import (
	"fmt"
	"slices"
	"time"
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
}

// rawRestart is the restart section as written.
type rawRestart struct {
	policy                      val[string]
	delay, maxDelay, resetAfter val[time.Duration]
	maxFailures                 val[int]
	success, fatal              val[[]val[int]]
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
	}}
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
	return out
}
