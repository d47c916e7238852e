package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Defaults of HealthOptions.
const (
	defaultHealthInterval = 10 * time.Second
	defaultHealthTimeout  = 5 * time.Second
	defaultHealthFailures = 3
)

// HealthOptions describe the health check of the running child. Checks run
// only while a child runs: the first Interval after its start, then
// Interval after the end of each check, one at a time.
type HealthOptions struct {
	// Check is the health check; nil means none.
	Check Probe
	// Interval is the wait before each check: from the child's start to the
	// first, from the end of a check to the next. Default (0) 10s.
	Interval time.Duration
	// Timeout bounds one check: its context ends after this long, and the
	// check fails. Default (0) 5s.
	Timeout time.Duration
	// StartPeriod: failed checks that begin within this long after a start
	// of the child are logged but not counted, so that a slow starter is
	// not restarted; a passing one makes the child healthy at once.
	// Default 0.
	StartPeriod time.Duration
	// Failures is the number of consecutive counted failed checks after
	// which the supervisor logs "health check failed, restarting" and
	// restarts the child gracefully (pre_stop, stop ladder, post_stop) with
	// cause CauseHealth. That restart counts as a failure, as a crash
	// would: the failure count grows, the restart waits for the backoff,
	// the circuit breaker applies (a child that never becomes healthy ends
	// Run with ErrGaveUp instead of restarting forever), and under the
	// policy Never the child is not restarted (Run returns an *ExitError).
	// Default (0) 3.
	Failures int
}

// normalizeHealth fills in defaults and reports negative values.
func normalizeHealth(h *HealthOptions) []error {
	var errs []error
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"health interval", &h.Interval, defaultHealthInterval},
		{"health timeout", &h.Timeout, defaultHealthTimeout},
		{"health start period", &h.StartPeriod, 0},
	} {
		switch {
		case *d.v < 0:
			errs = append(errs, fmt.Errorf("%s %v is negative", d.name, *d.v))
		case *d.v == 0:
			*d.v = d.def
		}
	}
	switch {
	case h.Failures < 0:
		errs = append(errs, fmt.Errorf("health failures %d is negative", h.Failures))
	case h.Failures == 0:
		h.Failures = defaultHealthFailures
	}
	return errs
}

// healthResult is the outcome of one check, from the health task.
type healthResult struct {
	t    *task
	err  error
	at   time.Time     // when the check began
	took time.Duration // how long it ran
}

// startHealth starts the health task for the running child, if there is a
// check. It does not touch Status.
func (l *loop) startHealth() *task {
	h, ch := l.s.opts.Health, l.healthC
	if h.Check == nil {
		return nil
	}
	return l.spawn(func(ctx context.Context, t *task) { checkHealth(ctx, t, h, ch) })
}

// checkHealth runs the checks until ctx ends, handing every result to the
// loop before the next wait begins.
func checkHealth(ctx context.Context, t *task, h HealthOptions, out chan<- healthResult) {
	timer := time.NewTimer(h.Interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		at := time.Now()
		err := probeOnce(ctx, h.Check, h.Timeout)
		if ctx.Err() != nil {
			return
		}
		select {
		case out <- healthResult{t: t, err: err, at: at, took: time.Since(at)}:
		case <-ctx.Done():
			return
		}
		timer.Reset(h.Interval)
	}
}

// probeOnce runs p with a timeout. A failure caused by the timeout says so.
func probeOnce(ctx context.Context, p Probe, timeout time.Duration) error {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := p(pctx)
	if err != nil && ctx.Err() == nil && errors.Is(pctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %v: %w", timeout, err)
	}
	return err
}

// onHealth counts a check's result, and restarts the child after
// HealthOptions.Failures consecutive counted failures.
func (l *loop) onHealth(r healthResult) (done bool, err error) {
	if r.t != l.health {
		return false, nil // from a task already stopped
	}
	h := l.s.opts.Health
	l.st.HealthCheckDuration = r.took
	switch {
	case r.err == nil:
		if l.st.Health != HealthHealthy {
			l.st.Health, l.st.HealthFailures = HealthHealthy, 0
			l.publish()
			l.s.log.Info("health check passed", "pid", l.st.PID)
		} else {
			l.store()
		}
		return false, nil
	case r.at.Sub(l.st.Started) < h.StartPeriod:
		l.store()
		l.s.log.Info("health check failed in the start period", "pid", l.st.PID, "err", r.err)
		return false, nil
	}
	l.st.Health = HealthUnhealthy
	l.st.HealthFailures++
	l.publish()
	n := l.st.HealthFailures
	if n < h.Failures {
		l.s.log.Warn("health check failed", "pid", l.st.PID, "failures", n, "of", h.Failures, "err", r.err)
		return false, nil
	}
	l.s.log.Warn("health check failed, restarting", "pid", l.st.PID, "failures", n, "err", r.err)
	return l.beginStop(CauseHealth)
}
