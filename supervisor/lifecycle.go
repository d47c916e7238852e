package supervisor

import (
	"context"
	"fmt"
	"time"
)

// task is a goroutine the loop started for work that may block: the start
// sequence (wait_for, pre_start), a hook, the health checks. Its results
// come back to the loop on a channel, tagged with the task, and the loop
// drops results of a task it stopped or no longer waits for. The loop stays
// the only owner of the state: a task reads only what it was given. Run
// waits for every task to end before it returns, so no hook or probe
// outlives it.
type task struct{ cancel context.CancelFunc }

// spawn runs work in a new task whose context ends when the task is
// stopped or Run ends.
func (l *loop) spawn(work func(ctx context.Context, t *task)) *task {
	ctx, cancel := context.WithCancel(l.bg)
	t := &task{cancel: cancel}
	l.tasks.Add(1)
	go func() {
		defer l.tasks.Done()
		defer cancel()
		work(ctx, t)
	}()
	return t
}

// stop cancels t, which may be nil, and returns nil for `x = x.stop()`.
func (t *task) stop() *task {
	if t != nil {
		t.cancel()
	}
	return nil
}

// deliver hands v to the loop, unless ctx ends first: the loop stopped the
// task and no longer listens.
func deliver[T any](ctx context.Context, ch chan<- T, v T) {
	select {
	case ch <- v:
	case <-ctx.Done():
	}
}

// finish ends Run's tasks and waits for them, then undoes the setup.
func (l *loop) finish() {
	l.stopBg()
	l.tasks.Wait()
	l.undo()
}

// failedStart records a start that did not happen (the program could not
// start, a condition was not met, pre_start failed) and decides.
func (l *loop) failedStart(err error) (done bool, _ error) {
	now := time.Now()
	l.st.Started = now
	e := Exit{Code: -1, Err: err, At: now}
	l.st.LastExit = &e
	return l.settle(e)
}

// afterExit continues after the exit of a started child: the child's tasks
// end, then post_stop runs (after a pre_stop still running), then the
// decision.
func (l *loop) afterExit(e Exit, pid int) (done bool, err error) {
	l.health, l.postStart, l.limits = l.health.stop(), l.postStart.stop(), l.limits.stop()
	l.st.Health, l.st.HealthFailures, l.st.HealthCheckDuration = "", 0, 0
	l.exit, l.exitPID = &e, pid
	if l.hook != nil {
		return false, nil // pre_stop still runs; onHookDone continues
	}
	return l.cleanup()
}

// cleanup runs the post_stop hook for l.exit, or decides at once.
func (l *loop) cleanup() (done bool, err error) {
	if h := l.s.opts.Hooks.PostStop; h.Argv != nil {
		l.st.State = StateStopping
		l.publish()
		l.hook = l.runHookTask(eventPostStop, h, l.exitPID, l.exit)
		return false, nil
	}
	return l.settleExit()
}

// settleExit decides after l.exit, once its hooks have run.
func (l *loop) settleExit() (done bool, err error) {
	e := *l.exit
	l.exit, l.exitPID = nil, 0
	return l.settle(e)
}

// settle applies the restart decision to an exit or a failed start. Once
// ctx is done nothing starts again, even before onCancel ran: select picks
// at random among ready cases.
func (l *loop) settle(e Exit) (done bool, err error) {
	if l.cancelled || l.ctx.Err() != nil {
		return true, l.stopped()
	}
	cause := l.restart
	l.restart = ""
	if cause == CauseRequest || cause == CauseUpdate || cause == CauseSchedule {
		return l.restartNow(cause)
	}
	class := classify(l.s.opts.Restart, e)
	if cause == CauseHealth || cause == CauseLimit {
		// The supervisor caused this exit: whatever its code, it is the
		// failure of an unhealthy child, or of one over its limits.
		class = exitFailure
	} else {
		cause = CauseExit
	}
	d := decideClass(l.s.opts.Restart, class, e, l.st.Failures)
	l.st.Failures = d.failures
	if !d.restart {
		l.unschedule()
	}
	switch {
	case d.gaveUp:
		l.st.State = StateGaveUp
		l.publish()
		l.s.log.Info("gave up", "failures", d.failures, "last", e.String())
		return l.giveUp(fmt.Errorf("%w: %d consecutive failures, last %s", ErrGaveUp, d.failures, e), e)
	case !d.restart:
		l.st.State = StateExited
		l.publish()
		l.s.log.Info("not restarting", "reason", d.reason)
		if d.failure {
			return true, &ExitError{Exit: e}
		}
		return true, nil
	}
	delay := l.s.backoff.delay(d.failures)
	l.next = cause
	l.st.State, l.st.NextStart = StateBackoff, time.Now().Add(delay)
	l.publish()
	l.s.log.Info("restarting", "in", delay, "reason", d.reason, "failures", d.failures)
	l.backoff = time.NewTimer(delay)
	if l.requested {
		l.requested = false
		return l.restartNow(CauseRequest)
	}
	return false, nil
}

// giveUp runs the on_give_up hook and sends the heartbeat's failure
// signal; Run returns err once both are done.
func (l *loop) giveUp(err error, e Exit) (done bool, _ error) {
	l.gaveUp = err
	if h := l.s.opts.Hooks.OnGiveUp; h.Argv != nil {
		l.hook = l.runHookTask(eventGiveUp, h, 0, &e)
	}
	l.signalGiveUp()
	return l.giveUpDone()
}

// giveUpDone ends Run once the give-up's hook and failure signal are done.
func (l *loop) giveUpDone() (done bool, err error) {
	if l.hook != nil || l.ping != nil || l.failNext {
		return false, nil
	}
	return true, l.gaveUp
}

// restartNow starts the child at once, dropping a pending backoff: a
// restart that is not a failure.
func (l *loop) restartNow(cause string) (done bool, err error) {
	if l.backoff != nil {
		l.backoff.Stop()
		l.backoff = nil
	}
	l.s.log.Info("restarting now", "cause", cause)
	l.st.Restarts++
	l.st.LastRestartCause = cause
	return l.launch()
}

// beginStop starts a graceful stop of the running child: pre_stop, then the
// stop ladder. cause is the restart that follows, "" when Run was
// cancelled.
func (l *loop) beginStop(cause string) (done bool, err error) {
	l.restart = cause
	l.health, l.postStart, l.limits = l.health.stop(), l.postStart.stop(), l.limits.stop()
	l.stop = stopState{began: time.Now(), cur: -1}
	l.st.State = StateStopping
	l.publish()
	if cause != "" {
		l.s.log.Info("restarting the child", "pid", l.st.PID, "cause", cause)
	}
	if h := l.s.opts.Hooks.PreStop; h.Argv != nil {
		l.hook = l.runHookTask(eventPreStop, h, l.st.PID, nil)
		return false, nil
	}
	return l.startLadder()
}

// onCancel ends Run: a start in progress is abandoned (its probes and
// pre_start hook killed), a pending backoff dropped, a running child
// stopped gracefully. A graceful stop already under way, and a post_stop
// hook, run to their end.
func (l *loop) onCancel() (done bool, err error) {
	l.cancelled = true
	switch {
	case l.gaveUp != nil:
		return false, nil // the give-up's hook and signal run to their end
	case l.seq != nil:
		l.seq, l.st.Waiting = l.seq.stop(), ""
	case l.exit != nil || l.st.State == StateStopping:
		// The exit (or the stop) of a restart's ladder now ends Run.
		l.stopping = l.restart != ""
		return false, nil
	case l.proc != nil:
		l.stopping = true
		return l.beginStop("")
	case l.backoff != nil:
		l.backoff.Stop()
		l.backoff = nil
	}
	return true, l.stopped()
}

// onBackoffEnd restarts the child, unless Run was cancelled at the same
// moment: select picks at random among ready cases, so the timer may win.
func (l *loop) onBackoffEnd() (done bool, err error) {
	l.backoff = nil
	if l.ctx.Err() != nil {
		return true, l.stopped()
	}
	l.st.Restarts++
	l.st.LastRestartCause = l.next
	return l.launch()
}
