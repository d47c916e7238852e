package supervisor

import (
	"errors"
	"fmt"
	"time"
)

// ErrGaveUp is wrapped by Run's error when the circuit breaker trips:
// RestartOptions.MaxFailures consecutive failures.
var ErrGaveUp = errors.New("gave up restarting the child")

// ErrNotRunning is returned by RestartChild and Update when Run is not in
// progress: it has not been called yet, it has returned, it is stopping
// because its context was cancelled, or it gave up and runs the give-up's
// hook and heartbeat signal.
var ErrNotRunning = errors.New("supervisor is not running")

// State is the supervisor's phase.
type State string

// The states, in the order a typical life visits them.
const (
	// StateWaiting: before a start, the Options.WaitFor conditions are
	// being waited for or the pre_start hook runs (see Status.Waiting).
	StateWaiting State = "waiting"
	// StateStarting: a child is being started.
	StateStarting State = "starting"
	// StateRunning: the child is running.
	StateRunning State = "running"
	// StateBackoff: the child exited and waits for its restart.
	StateBackoff State = "backoff"
	// StateStopping: the child is being stopped gracefully (Run's context
	// was cancelled, or a restart was asked for by a failed health check,
	// a limit, a schedule, RestartChild or Update): the pre_stop hook runs, or the child got the
	// stop signal and is being waited for (or killed). The state stays
	// stopping while the post_stop hook runs after the child's exit.
	StateStopping State = "stopping"
	// StateStopped: Run has not been called yet, or it ended because its
	// context was cancelled.
	StateStopped State = "stopped"
	// StateGaveUp: the circuit breaker tripped; Run returns an error
	// wrapping ErrGaveUp once the OnGiveUp hook and the heartbeat's
	// failure signal are done.
	StateGaveUp State = "gave-up"
	// StateExited: the child exited and the policy (or a fatal exit code)
	// forbids a restart; Run returned.
	StateExited State = "exited"
)

// Exit describes how one child run ended.
type Exit struct {
	// Code is the exit code; -1 when the child was killed by a signal or
	// could not be started.
	Code int
	// Signal is the name of the signal that killed the child ("SIGKILL"),
	// empty when it exited by itself or could not be started.
	Signal string
	// Err is the start failure (executable missing, ...); nil when the child
	// was started.
	Err error
	// Uptime is how long the child ran; 0 for a start failure.
	Uptime time.Duration
	// At is when the child exited (or failed to start).
	At time.Time
}

// String describes the exit for logs and errors.
func (e Exit) String() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("failed to start: %v", e.Err)
	case e.Signal != "":
		return fmt.Sprintf("killed by %s", e.Signal)
	default:
		return fmt.Sprintf("exited with code %d", e.Code)
	}
}

// ExitError is Run's error when the child failed and the policy or a fatal
// exit code forbids a restart.
type ExitError struct {
	// Exit is the child's last exit.
	Exit Exit
}

// Error implements error.
func (e *ExitError) Error() string {
	return "child " + e.Exit.String()
}

// Unwrap returns the start failure, if that is how the child failed.
func (e *ExitError) Unwrap() error {
	return e.Exit.Err
}

// Status is a snapshot of the supervisor, returned by Supervisor.Status.
type Status struct {
	// State is the current phase.
	State State
	// PID is the running child's process id; 0 when no child runs.
	PID int
	// Started is when the current (or last) child started.
	Started time.Time
	// Restarts counts the starts after the first one.
	Restarts int
	// Failures is the current count of consecutive failures.
	Failures int
	// LastExit is the previous child's exit; nil before the first exit.
	LastExit *Exit
	// NextStart is when the child will be restarted, in StateBackoff; zero
	// otherwise.
	NextStart time.Time
	// Health is the running child's health: "" when there is no health
	// check or no child runs, else HealthStarting, HealthHealthy or
	// HealthUnhealthy.
	Health string
	// HealthFailures counts the consecutive failed health checks of the
	// running child, not counting those in HealthOptions.StartPeriod.
	HealthFailures int
	// HealthCheckDuration is how long the running child's last health
	// check took; 0 before its first check and when no child runs.
	HealthCheckDuration time.Duration
	// Waiting names what the start in progress waits for, in StateWaiting:
	// a Condition's Name, or "pre_start hook". "" otherwise.
	Waiting string
	// LastRestartCause says why the current (or last) child was restarted:
	// CauseExit, CauseHealth, CauseRequest, CauseUpdate, CauseSchedule or
	// CauseLimit; "" before the first restart.
	LastRestartCause string
	// LastLimit is the limit breach that made the last restart with cause
	// CauseLimit; nil before the first.
	LastLimit *LimitBreach
	// LimitSamples counts the samples of the child's tree taken for
	// Options.Limits since Run began. Status shows each one, but OnStatus
	// is not called for them.
	LimitSamples int
	// LastStop says which step of the stop ladder ended the child at the
	// last graceful stop (Run cancelled, or a restart the supervisor
	// caused), or that the tree was killed; nil before the first.
	LastStop *StopResult
	// NextScheduledRestart is when the next scheduled restart is due
	// (RestartOptions.Every and At), whatever the state: one due while no
	// child runs is skipped. Zero when none is scheduled or Run has ended.
	NextScheduledRestart time.Time
}

// The values of Status.Health.
const (
	// HealthStarting: the child runs and no check has passed yet, nor has
	// one failed outside HealthOptions.StartPeriod.
	HealthStarting = "starting"
	// HealthHealthy: the last check passed.
	HealthHealthy = "healthy"
	// HealthUnhealthy: the last check, outside the start period, failed.
	HealthUnhealthy = "unhealthy"
)

// The values of Status.LastRestartCause.
const (
	// CauseExit: the child exited (or a start failed) and the restart
	// policy restarted it after the backoff.
	CauseExit = "exit"
	// CauseHealth: HealthOptions.Failures consecutive health checks failed.
	CauseHealth = "health"
	// CauseRequest: RestartChild.
	CauseRequest = "request"
	// CauseUpdate: Update changed how the child is started.
	CauseUpdate = "update"
	// CauseSchedule: a scheduled restart (RestartOptions.Every or At).
	CauseSchedule = "schedule"
	// CauseLimit: the child's tree stayed over a limit (Options.Limits;
	// Status.LastLimit says which).
	CauseLimit = "limit"
)

// clone returns a deep copy, so that a snapshot shares nothing with the
// supervisor's own state.
func (s Status) clone() Status {
	if s.LastExit != nil {
		e := *s.LastExit
		s.LastExit = &e
	}
	if s.LastLimit != nil {
		b := *s.LastLimit
		s.LastLimit = &b
	}
	if s.LastStop != nil {
		r := *s.LastStop
		s.LastStop = &r
	}
	return s
}
