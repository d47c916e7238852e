// Package supervisor runs one child process and keeps it running: it
// restarts the child with backoff and a circuit breaker, stops the whole
// process tree gracefully, and pipes the child's output to the caller.
//
// One goroutine, the one that calls Run, owns all state in a single select
// loop; Status returns a snapshot that loop publishes.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Supervisor supervises one child. Create it with New, then call Run once.
type Supervisor struct {
	opts    Options
	log     *slog.Logger
	backoff backoff
	// start starts one child, and setup prepares the wrapper process for
	// starting children for the duration of Run (see deliverStopSignal),
	// returning the undo: the seams that let tests use fake processes.
	start  func() (process, error)
	setup  func() (undo func())
	status atomic.Pointer[Status]
	ran    atomic.Bool
}

// New validates opts, fills in defaults and returns a Supervisor. The error
// lists every invalid option.
func New(opts Options) (*Supervisor, error) {
	o, err := normalize(opts)
	if err != nil {
		return nil, fmt.Errorf("supervisor options: %w", err)
	}
	s := &Supervisor{opts: o, log: o.Logger, backoff: newBackoff(o.Restart)}
	s.start = (&spawner{opts: o, drain: defaultDrainTimeout}).start
	s.setup = func() func() { return deliverStopSignal(o.Stop.Signal) }
	s.status.Store(&Status{State: StateStopped})
	return s, nil
}

// Status returns a snapshot of the supervisor's state. It is safe to call
// from any goroutine, before, during and after Run.
func (s *Supervisor) Status() Status {
	return s.status.Load().clone()
}

// Run starts the child and supervises it until one of these happens:
//   - ctx is cancelled: the child gets the stop signal, the whole process
//     tree is killed after StopOptions.Timeout if still running, and Run
//     returns nil. Cancellation during a backoff returns at once.
//   - the child exits with a success code and the policy does not restart:
//     nil.
//   - the child fails and the policy or a fatal exit code forbids a restart:
//     an *ExitError.
//   - RestartOptions.MaxFailures consecutive failures: an error wrapping
//     ErrGaveUp.
//
// Run may be called once; a second call returns an error at once.
func (s *Supervisor) Run(ctx context.Context) error {
	if !s.ran.CompareAndSwap(false, true) {
		return errors.New("supervisor: run called more than once")
	}
	defer s.setup()()
	l := &loop{s: s, ctx: ctx, st: s.Status()}
	return l.run()
}

// loop is the state owned by Run's goroutine. Nothing else reads or writes
// it; observers see the copies that publish stores.
type loop struct {
	s        *Supervisor
	ctx      context.Context
	st       Status
	proc     process     // the running child, nil when none
	backoff  *time.Timer // pending restart, nil when none
	killT    *time.Timer // stop timeout, nil when not stopping
	killed   bool        // the stop timeout expired and the tree was killed
	stopping bool
}

func (l *loop) run() error {
	if l.ctx.Err() != nil {
		return l.stopped()
	}
	if done, err := l.startChild(); done {
		return err
	}
	cancelled := l.ctx.Done()
	for {
		var done bool
		var err error
		// One case per event. Control requests (restart the child, status
		// queries) will be more cases here, so that this goroutine stays
		// the only writer of the state.
		select {
		case <-cancelled:
			cancelled = nil // the stop ladder takes it from here
			done, err = l.onCancel()
		case e := <-l.exited():
			done, err = l.onExit(e)
		case <-timerC(l.backoff):
			done, err = l.onBackoffEnd()
		case <-timerC(l.killT):
			l.onStopTimeout()
		}
		if done {
			return err
		}
	}
}

// exited returns the running child's exit channel, or nil (never ready)
// when no child runs.
func (l *loop) exited() <-chan Exit {
	if l.proc == nil {
		return nil
	}
	return l.proc.done()
}

// timerC returns t's channel, or nil (never ready) for no timer.
func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

// publish stores a snapshot of the state for Status.
func (l *loop) publish() {
	st := l.st.clone()
	l.s.status.Store(&st)
	if l.s.opts.OnStatus != nil {
		l.s.opts.OnStatus(st.clone())
	}
}

// startChild starts a child. A start failure is handled as an exit.
func (l *loop) startChild() (done bool, err error) {
	l.st.State, l.st.NextStart = StateStarting, time.Time{}
	l.publish()
	p, err := l.s.start()
	now := time.Now()
	l.st.Started = now
	if err != nil {
		l.s.log.Warn("child start failed", "err", err)
		return l.onExit(Exit{Code: -1, Err: err, At: now})
	}
	l.proc = p
	l.st.State, l.st.PID = StateRunning, p.pid()
	l.publish()
	l.s.log.Info("child started", "pid", l.st.PID)
	return false, nil
}

// onExit records an exit and applies the restart decision.
func (l *loop) onExit(e Exit) (done bool, err error) {
	pid := l.st.PID
	l.proc, l.st.PID = nil, 0
	if e.Err == nil {
		e.Uptime = max(0, e.At.Sub(l.st.Started))
		attrs := []any{"pid", pid, "code", e.Code, "uptime", e.Uptime}
		if e.Signal != "" {
			attrs = append(attrs, "signal", e.Signal)
		}
		l.s.log.Info("child exited", attrs...)
	}
	l.st.LastExit = &e
	if l.stopping {
		return true, l.stopped()
	}
	d := decide(l.s.opts.Restart, e, l.st.Failures)
	l.st.Failures = d.failures
	switch {
	case d.gaveUp:
		l.st.State = StateGaveUp
		l.publish()
		l.s.log.Info("gave up", "failures", d.failures, "last", e.String())
		return true, fmt.Errorf("%w: %d consecutive failures, last %s", ErrGaveUp, d.failures, e)
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
	l.st.State, l.st.NextStart = StateBackoff, time.Now().Add(delay)
	l.publish()
	l.s.log.Info("restarting", "in", delay, "reason", d.reason, "failures", d.failures)
	l.backoff = time.NewTimer(delay)
	return false, nil
}

// onBackoffEnd restarts the child, unless Run was cancelled at the same
// moment: select picks at random among ready cases, so the timer may win.
func (l *loop) onBackoffEnd() (done bool, err error) {
	l.backoff = nil
	if l.ctx.Err() != nil {
		return true, l.stopped()
	}
	l.st.Restarts++
	return l.startChild()
}

// onCancel begins the stop ladder, or ends Run when no child runs.
func (l *loop) onCancel() (done bool, err error) {
	if l.proc == nil {
		if l.backoff != nil {
			l.backoff.Stop()
			l.backoff = nil
		}
		return true, l.stopped()
	}
	l.stopping = true
	l.st.State = StateStopping
	l.publish()
	o := l.s.opts.Stop
	l.s.log.Info("stopping", "pid", l.st.PID, "signal", o.Signal, "timeout", o.Timeout)
	if err := l.proc.stop(); err != nil {
		l.s.log.Warn("stop signal", "pid", l.st.PID, "err", err)
	}
	l.killT = time.NewTimer(o.Timeout)
	return false, nil
}

// onStopTimeout kills the child's tree; its exit ends Run.
func (l *loop) onStopTimeout() {
	l.killT, l.killed = nil, true
	l.s.log.Info("stop timeout, killing the process tree", "pid", l.st.PID)
	if err := l.proc.kill(); err != nil {
		l.s.log.Warn("kill process tree", "pid", l.st.PID, "err", err)
	}
}

// stopped records the end of a cancelled Run.
func (l *loop) stopped() error {
	if l.killT != nil {
		l.killT.Stop()
		l.killT = nil
	}
	l.st.State, l.st.NextStart = StateStopped, time.Time{}
	l.publish()
	switch {
	case !l.stopping:
		l.s.log.Info("stopped")
	case l.killed:
		l.s.log.Info("stopped", "by", "kill")
	default:
		l.s.log.Info("stopped", "by", "signal")
	}
	return nil
}
