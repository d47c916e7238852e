package supervisor

import (
	"context"
	"fmt"
	"os"
	"slices"
)

// request is a control request for Run's loop: a restart of the child, or
// new options.
type request struct {
	update *Options   // normalized; nil for a restart
	reply  chan error // buffered: the loop never waits for the caller
}

// RestartChild restarts the child gracefully: pre_stop, the stop ladder,
// post_stop, then a start at once (wait_for and pre_start included). The
// restart is not a failure and leaves the backoff as it is; Status shows
// cause CauseRequest. During a backoff the child starts at once; while a
// start or a restart is already under way the request changes nothing.
// RestartChild returns ErrNotRunning when Run is not in progress (or is
// stopping), ctx's error if ctx ends before the loop takes the request,
// and nil once the loop took it: it does not wait for the stop nor the new
// child, and Status may not show the restart yet.
func (s *Supervisor) RestartChild(ctx context.Context) error {
	return s.ask(ctx, request{})
}

// Update replaces the options while Run is in progress. Restart, Stop,
// Health, Hooks, WaitFor, Heartbeat, Limits and Logger apply at once: a
// pending backoff keeps its timer, a running health check continues with
// the new settings (a check removed ends), hooks and conditions apply from
// their next run, the scheduled restarts are scheduled again (At from now,
// Every from the running child's start), a changed heartbeat starts its
// interval again, changed limits start their watch of the running child
// again (a time over a limit so far is forgotten). A change of Path, Args,
// Dir, Env, Stdin, Priority, Affinity or Account, or a StepCtrlBreak added
// to or removed from Stop.Steps, restarts a running child gracefully (cause
// CauseUpdate, not a failure); otherwise they apply at the next start. A
// stop ladder under way keeps its steps. Stdout, Stderr, OnStatus and
// Containment cannot change: the values given are ignored. Invalid options
// return an error and change nothing; options this host cannot apply, one
// wrapping ErrCannotApply. Update returns ErrNotRunning when Run is not in
// progress (or is stopping, or giving up), and otherwise once the loop
// took the new options, before it applies them.
func (s *Supervisor) Update(ctx context.Context, opts Options) error {
	o, err := normalize(opts)
	if err != nil {
		return fmt.Errorf("supervisor options: %w", err)
	}
	if err := checkHost(o); err != nil {
		return err
	}
	return s.ask(ctx, request{update: &o})
}

// ask hands r to Run's loop and returns its answer.
func (s *Supervisor) ask(ctx context.Context, r request) error {
	if !s.ran.Load() {
		return ErrNotRunning
	}
	r.reply = make(chan error, 1)
	select {
	case s.reqs <- r:
	case <-s.done:
		return ErrNotRunning
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-r.reply
}

// onRequest answers a control request, then acts on it. It answers first
// because acting publishes status through OnStatus, and the caller may
// hold a lock that its OnStatus takes (the host does, during a reload).
func (l *loop) onRequest(r request) (done bool, err error) {
	if l.cancelled || l.gaveUp != nil {
		r.reply <- ErrNotRunning
		return false, nil
	}
	r.reply <- nil
	if r.update != nil {
		return l.update(*r.update)
	}
	switch {
	case l.st.State == StateRunning:
		l.s.log.Info("restart requested", "pid", l.st.PID)
		return l.beginStop(CauseRequest)
	case l.backoff != nil:
		l.s.log.Info("restart requested")
		return l.restartNow(CauseRequest)
	case l.exit != nil:
		l.requested = true // the exit's hooks run; skip its backoff
	}
	return false, nil // a start or a restart is under way
}

// update applies new options (see Update).
func (l *loop) update(o Options) (done bool, err error) {
	old := l.s.opts
	o.Stdout, o.Stderr, o.OnStatus, o.Containment = old.Stdout, old.Stderr, old.OnStatus, old.Containment
	l.s.opts, l.s.log = o, o.Logger
	b := newBackoff(o.Restart)
	b.rand = l.s.backoff.rand
	l.s.backoff = b
	if !slices.Equal(stopSignalNames(o.Stop), stopSignalNames(old.Stop)) {
		l.undo()
		l.undo = l.s.setup()
	}
	running := l.st.State == StateRunning
	if running {
		l.health = l.health.stop()
		l.health = l.startHealth()
		before := l.st.Health
		switch {
		case o.Health.Check == nil:
			l.st.Health, l.st.HealthFailures, l.st.HealthCheckDuration = "", 0, 0
		case l.st.Health == "":
			l.st.Health = HealthStarting
		}
		if l.st.Health != before {
			l.publish()
		}
	}
	if o.Heartbeat != old.Heartbeat {
		l.armBeat()
	}
	if running && o.Limits != old.Limits {
		l.limits = l.limits.stop()
		l.limits = l.startLimits() // the watch starts over
	}
	next := l.st.NextScheduledRestart
	l.scheduleRun()
	if !l.st.NextScheduledRestart.Equal(next) {
		l.publish()
	}
	// A Ctrl-Break step needs a child started in a process group of its
	// own, which the running child is not, or the other way round.
	group := hasKind(o.Stop.Steps, StepCtrlBreak) != hasKind(old.Stop.Steps, StepCtrlBreak)
	restart := running && (o.Path != old.Path || !slices.Equal(o.Args, old.Args) ||
		o.Dir != old.Dir || !slices.Equal(o.Env, old.Env) || o.Stdin != old.Stdin || group || !sameSched(o, old))
	l.s.log.Info("options updated", "restart", restart)
	if restart {
		return l.beginStop(CauseUpdate)
	}
	return false, nil
}

// onSignal passes a signal the wrapper received as PID 1 on to the running
// child (see forwardedSignals); with no child running it is dropped.
func (l *loop) onSignal(sig os.Signal) {
	sg, ok := l.proc.(signaler)
	if !ok {
		l.s.log.Info("signal not forwarded: no child runs", "signal", signalLabel(sig))
		return
	}
	l.s.log.Info("forwarding signal", "pid", l.st.PID, "signal", signalLabel(sig))
	if err := sg.signal(sig); err != nil {
		l.s.log.Warn("forward signal", "pid", l.st.PID, "signal", signalLabel(sig), "err", err)
	}
}
