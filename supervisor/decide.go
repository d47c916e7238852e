package supervisor

import (
	"errors"
	"fmt"
	"slices"
)

// exitClass is what an exit means for the restart decision.
type exitClass int

const (
	exitSuccess     exitClass = iota // a success exit code
	exitFailure                      // any other exit, a signal, or a start failure
	exitFatal                        // a fatal exit code, or ActionFatal: never restart
	exitStop                         // ActionStop: end Run as a success
	exitRestart                      // ActionRestart on a success code: restart, not a failure
	exitRestartFail                  // ActionRestart on another code: restart as a failure
)

// classify sorts an exit. A start failure and a signal death are failures,
// but for a start that cannot succeed on this system (its error wraps
// errors.ErrUnsupported: a start condition that cannot be checked here),
// which is fatal. Only an exit code can be a success or fatal, or have an
// OnExit action, which takes precedence over the lists. A code listed as
// both success and fatal is fatal.
func classify(r RestartOptions, e Exit) exitClass {
	switch {
	case errors.Is(e.Err, errors.ErrUnsupported):
		return exitFatal
	case e.Err != nil || e.Signal != "":
		return exitFailure
	}
	success := slices.Contains(r.SuccessExitCodes, e.Code)
	switch r.OnExit[e.Code] {
	case ActionFatal:
		return exitFatal
	case ActionStop:
		return exitStop
	case ActionRestart:
		if success {
			return exitRestart
		}
		return exitRestartFail
	}
	switch {
	case slices.Contains(r.FatalExitCodes, e.Code):
		return exitFatal
	case success:
		return exitSuccess
	default:
		return exitFailure
	}
}

// decision is decide's verdict on one exit.
type decision struct {
	restart  bool   // start the child again (after a backoff)
	failure  bool   // the exit counts as a failure
	failures int    // consecutive failures including this exit
	gaveUp   bool   // the circuit breaker tripped
	reason   string // for the log
}

// decide applies the restart options to an exit. failures is the count of
// consecutive failures before this exit; e.Uptime may reset it first. r must
// be normalized (Policy and SuccessExitCodes filled in).
func decide(r RestartOptions, e Exit, failures int) decision {
	return decideClass(r, classify(r, e), e, failures)
}

// decideClass is decide for an exit already classified: the supervisor
// classifies the exit of a child it stopped because of failed health
// checks as a failure, whatever the exit code.
func decideClass(r RestartOptions, class exitClass, e Exit, failures int) decision {
	if r.ResetAfter > 0 && e.Uptime >= r.ResetAfter {
		failures = 0
	}
	switch class {
	case exitSuccess:
		if r.Policy == Always {
			return decision{restart: true, reason: "success exit, policy always"}
		}
		return decision{reason: "success exit"}
	case exitStop:
		return decision{reason: fmt.Sprintf("exit code %d, action stop", e.Code)}
	case exitRestart:
		return decision{restart: true, reason: fmt.Sprintf("success exit code %d, action restart", e.Code)}
	case exitFatal:
		reason := fmt.Sprintf("fatal exit code %d", e.Code)
		if e.Err != nil {
			reason = "the start cannot succeed on this system"
		}
		return decision{failure: true, failures: failures + 1, reason: reason}
	}
	d := decision{failure: true, failures: failures + 1}
	switch {
	case r.Policy == Never && class != exitRestartFail:
		d.reason = "failure, policy never"
	case r.MaxFailures > 0 && d.failures >= r.MaxFailures:
		d.gaveUp = true
		d.reason = fmt.Sprintf("%d consecutive failures", d.failures)
	case class == exitRestartFail:
		d.restart = true
		d.reason = fmt.Sprintf("exit code %d, action restart", e.Code)
	default:
		d.restart = true
		d.reason = "failure"
	}
	return d
}
