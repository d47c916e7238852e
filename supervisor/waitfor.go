package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// defaultConditionTimeout is Condition.Timeout when it is left zero.
const defaultConditionTimeout = time.Minute

// conditionRetry is the wait between two checks of an unmet condition. It
// is short and fixed rather than a backoff: the wait is bounded by
// Condition.Timeout anyway, usually for a dependency that starts at the
// same moment (a database at boot); a fixed half second starts the child
// within half a second of the dependency being ready, and one probe (a
// connect, a stat) every half second costs nothing. Long outages are the
// start backoff's business: a condition that times out is a failed start.
const conditionRetry = 500 * time.Millisecond

// conditionAttempt bounds one check of a condition, so that a probe that
// hangs (a connect to a host that drops packets) is retried instead of
// using up the whole Timeout.
const conditionAttempt = 5 * time.Second

// waitingPreStart is Status.Waiting while the pre_start hook runs.
const waitingPreStart = "pre_start hook"

// Condition is a start condition (Options.WaitFor). Before every start of
// the child the supervisor checks it, every half second, until it is met
// or Timeout passes. A Probe whose error wraps errors.ErrUnsupported says
// that the condition cannot be checked on this system (a systemd unit
// where systemd does not run): the wait ends at once, and the failed start
// is fatal (Run returns an *ExitError), as no restart can mend it.
type Condition struct {
	// Name says what is waited for, in Status.Waiting and in the log, e.g.
	// "tcp db:5432". Default "condition N", N counting from 1.
	Name string
	// Probe is the check; required.
	Probe Probe
	// Timeout is how long the condition may stay unmet; then that start is
	// abandoned and counts as a failed start (the backoff and the circuit
	// breaker apply). Default (0) 1m.
	Timeout time.Duration
}

// normalizeConditions validates the conditions and returns a copy with
// defaults filled in.
func normalizeConditions(cs []Condition) ([]Condition, []error) {
	var errs []error
	out := make([]Condition, len(cs))
	for i, c := range cs {
		if c.Name == "" {
			c.Name = fmt.Sprintf("condition %d", i+1)
		}
		if c.Probe == nil {
			errs = append(errs, fmt.Errorf("wait for %s: probe is required", c.Name))
		}
		switch {
		case c.Timeout < 0:
			errs = append(errs, fmt.Errorf("wait for %s: timeout %v is negative", c.Name, c.Timeout))
		case c.Timeout == 0:
			c.Timeout = defaultConditionTimeout
		}
		out[i] = c
	}
	return out, errs
}

// waitCondition checks c until it is met, c.Timeout passes or ctx ends.
// A probe error that wraps errors.ErrUnsupported ends the wait at once:
// the condition cannot be checked on this system, and waiting cannot
// change that.
func waitCondition(ctx context.Context, c Condition) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	for {
		err := probeOnce(ctx, c.Probe, conditionAttempt)
		if err == nil {
			return nil
		}
		if errors.Is(err, errors.ErrUnsupported) {
			return fmt.Errorf("wait for %s: %w", c.Name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: not met within %v: %w", c.Name, c.Timeout, err)
		case <-time.After(conditionRetry):
		}
	}
}

// step is one part of the start sequence.
type step struct {
	name string // for Status.Waiting
	run  func(ctx context.Context) error
}

// seqEvent reports the start sequence's progress: the next step, or its
// end (done, with the error that prevents the start).
type seqEvent struct {
	t       *task
	waiting string
	done    bool
	err     error
}

// startSteps returns the start sequence: the conditions in order, then the
// pre_start hook.
func (l *loop) startSteps() []step {
	var steps []step
	for _, c := range l.s.opts.WaitFor {
		steps = append(steps, step{c.Name, func(ctx context.Context) error { return waitCondition(ctx, c) }})
	}
	if h := l.s.opts.Hooks.PreStart; h.Argv != nil {
		r, run := l.hookRun(eventPreStart, h, 0, nil), l.s.hook
		steps = append(steps, step{waitingPreStart, func(ctx context.Context) error {
			r.log.Info("running hook", "hook", eventPreStart)
			if err := run(ctx, r); err != nil {
				return fmt.Errorf("pre_start hook: %w", err)
			}
			r.log.Info("hook done", "hook", eventPreStart)
			return nil
		}})
	}
	return steps
}

// launch begins a start of the child: the start sequence in a task when
// there is one, else the child at once.
func (l *loop) launch() (done bool, err error) {
	steps := l.startSteps()
	if len(steps) == 0 {
		return l.startChild()
	}
	l.st.State, l.st.NextStart, l.st.Waiting = StateWaiting, time.Time{}, steps[0].name
	l.publish()
	l.s.log.Info("waiting", "for", steps[0].name)
	ch := l.seqC
	l.seq = l.spawn(func(ctx context.Context, t *task) {
		for i, s := range steps {
			if i > 0 {
				deliver(ctx, ch, seqEvent{t: t, waiting: s.name})
			}
			if err := s.run(ctx); err != nil {
				deliver(ctx, ch, seqEvent{t: t, done: true, err: err})
				return
			}
		}
		deliver(ctx, ch, seqEvent{t: t, done: true})
	})
	return false, nil
}

// onSequence follows the start sequence: the next step, the child's start,
// or a failed start.
func (l *loop) onSequence(ev seqEvent) (done bool, err error) {
	if ev.t != l.seq {
		return false, nil
	}
	if !ev.done {
		l.st.Waiting = ev.waiting
		l.publish()
		l.s.log.Info("waiting", "for", ev.waiting)
		return false, nil
	}
	l.seq, l.st.Waiting = nil, ""
	if ev.err != nil {
		l.s.log.Warn("start prevented", "err", ev.err)
		return l.failedStart(ev.err)
	}
	return l.startChild()
}
