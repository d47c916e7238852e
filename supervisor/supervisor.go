// Package supervisor runs one child process and keeps it running: it
// restarts the child with backoff and a circuit breaker, stops the whole
// process tree gracefully, and pipes the child's output to the caller.
//
// One goroutine, the one that calls Run, owns all state in a single select
// loop; Status returns a snapshot that loop publishes. Work that may block
// (health checks, start conditions, hooks) runs in goroutines that report
// their results to that loop, and control requests (RestartChild, Update)
// reach it on a channel.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Supervisor supervises one child. Create it with New, then call Run once.
type Supervisor struct {
	opts    Options
	log     *slog.Logger
	backoff backoff
	// start starts one child with the current opts, hook runs a hook,
	// setup prepares the wrapper process for starting children while Run
	// runs (see deliverStopSignal), returning the undo, and enter holds the
	// process's share in containing trees (see holdTrees): the seams that
	// let tests use fake processes.
	start func() (process, error)
	hook  func(context.Context, hookRun) error
	setup func() (undo func())
	enter func() (held, error)
	// ping GETs a heartbeat URL (httpPing); request sends a StepHTTP's
	// request (httpStep).
	ping    func(ctx context.Context, url string) error
	request func(ctx context.Context, s StopStep) error
	// now is the clock of scheduled restarts (RestartOptions.At, in its
	// location): the seam that lets tests pick a time zone.
	now    func() time.Time
	status atomic.Pointer[Status]
	tree   atomic.Pointer[tree] // the running child's, for Usage; nil when none
	ran    atomic.Bool
	reqs   chan request  // control requests, read by Run's loop
	done   chan struct{} // closed when Run returns
}

// New validates opts, fills in defaults and returns a Supervisor. The error
// lists every invalid option; it wraps ErrCannotApply when the options are
// valid but this host or the wrapper's account cannot apply them.
func New(opts Options) (*Supervisor, error) {
	o, err := normalize(opts)
	if err != nil {
		return nil, fmt.Errorf("supervisor options: %w", err)
	}
	if o.ConsoleCodePage != 0 && !codePageApplies {
		o.Logger.Warn("console code page ignored: only Windows consoles have one", "code_page", o.ConsoleCodePage)
	}
	if err := checkHost(o); err != nil {
		return nil, err
	}
	s := &Supervisor{opts: o, log: o.Logger, backoff: newBackoff(o.Restart), hook: runHook, ping: httpPing,
		request: httpStep, now: time.Now, reqs: make(chan request), done: make(chan struct{})}
	// Both read s.opts when called, from Run's loop, which Update changes.
	s.start = func() (process, error) {
		return (&spawner{opts: s.opts, drain: defaultDrainTimeout, main: true}).start()
	}
	s.setup = func() func() { return deliverStopSignal(stopSignalNames(s.opts.Stop)...) }
	s.enter = func() (held, error) { return holdTrees(s.opts.Containment, s.log) }
	s.status.Store(&Status{State: StateStopped})
	return s, nil
}

// Status returns a snapshot of the supervisor's state. It is safe to call
// from any goroutine, before, during and after Run.
func (s *Supervisor) Status() Status {
	return s.status.Load().clone()
}

// Run starts the child and supervises it until one of these happens:
//   - ctx is cancelled: the child is stopped gracefully (the pre_stop hook,
//     the stop ladder of StopOptions, whose last step is the kill of the
//     whole process tree, the post_stop hook), and Run returns nil.
//     Cancellation during a backoff returns at once; during the start
//     conditions or the pre_start hook too, after killing them.
//   - the child exits with a success code and the policy does not restart,
//     or with a code whose OnExit action is ActionStop: nil.
//   - the child fails and the policy, a fatal exit code or ActionFatal
//     forbids a restart: an *ExitError.
//   - RestartOptions.MaxFailures consecutive failures: an error wrapping
//     ErrGaveUp.
//
// Run fails at once, starting nothing, when Options.Containment asks for a
// cgroup that cannot be made. While Run runs as PID 1 (a container's
// init), the signals in forwardedSignals are passed on to the child.
//
// Run may be called once; a second call returns an error at once.
func (s *Supervisor) Run(ctx context.Context) error {
	if !s.ran.CompareAndSwap(false, true) {
		return errors.New("supervisor: run called more than once")
	}
	defer close(s.done)
	h, err := s.enter()
	if err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	defer h.release()
	bg, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	l := &loop{s: s, ctx: ctx, st: s.Status(), bg: bg, stopBg: stopBg, undo: s.setup(), forward: h.forward,
		seqC: make(chan seqEvent), hookC: make(chan hookDone), healthC: make(chan healthResult),
		sampleC: make(chan sampled), pingC: make(chan pingDone), stepC: make(chan stepDone), stop: stopState{cur: -1}}
	defer l.finish()
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
	stop     stopState   // the graceful stop under way (ladder.go)
	stopping bool        // the stop ladder under way ends Run

	// Scheduled restarts (schedule.go): the timer of the earlier of
	// schedAt, the next daily restart (RestartOptions.At), and
	// schedEvery, the running child's start plus RestartOptions.Every;
	// nil and zero for none.
	sched               *time.Timer
	schedAt, schedEvery time.Time

	// The heartbeat (heartbeat.go) and the give-up.
	beat        *time.Timer // next heartbeat, nil when none
	beatFailing bool        // the last heartbeat failed
	failNext    bool        // send the failure signal after the ping in flight
	gaveUp      error       // Run's error once the give-up's hook and signal end

	// The limits (limits.go): the watch over the running child's samples,
	// whether its last sample failed, and whether this system cannot
	// measure a tree at all.
	watch        limitWatch
	sampleFailed bool
	noUsage      bool

	cancelled bool   // ctx is done: nothing starts any more
	restart   string // cause of the restart that follows the stop under way
	next      string // cause of the restart the backoff leads to
	requested bool   // RestartChild while an exit's hooks ran: skip the backoff
	exit      *Exit  // the exit whose hooks run (pre_stop, post_stop)
	exitPID   int    // the pid of that exit's child

	// Tasks (see task): at most one of seq and hook; postStart, health
	// and limits only while a child runs.
	seq       *task // wait_for conditions and pre_start
	hook      *task // pre_stop, post_stop or on_give_up
	postStart *task
	health    *task
	limits    *task // samples the tree for Options.Limits
	ping      *task // a heartbeat in flight
	seqC      chan seqEvent
	hookC     chan hookDone
	healthC   chan healthResult
	sampleC   chan sampled
	pingC     chan pingDone
	stepC     chan stepDone
	bg        context.Context // tasks' parent: outlives ctx, for the stop hooks
	stopBg    context.CancelFunc
	tasks     sync.WaitGroup
	undo      func()           // undoes s.setup
	forward   <-chan os.Signal // signals to pass on to the child (held.forward)
}

func (l *loop) run() error {
	if l.ctx.Err() != nil {
		return l.stopped()
	}
	l.scheduleRun()
	l.armBeat()
	if done, err := l.launch(); done {
		return err
	}
	cancelled := l.ctx.Done()
	for {
		var done bool
		var err error
		// One case per event, so that this goroutine stays the only writer
		// of the state.
		select {
		case <-cancelled:
			cancelled = nil // the stop ladder takes it from here
			done, err = l.onCancel()
		case e := <-l.exited():
			done, err = l.onExit(e)
		case <-timerC(l.backoff):
			done, err = l.onBackoffEnd()
		case <-timerC(l.stop.timer):
			l.onStepTimeout()
		case d := <-l.stepC:
			l.onStepDone(d)
		case <-timerC(l.sched):
			done, err = l.onSchedule()
		case <-timerC(l.beat):
			l.onBeat()
		case p := <-l.pingC:
			done, err = l.onPing(p)
		case ev := <-l.seqC:
			done, err = l.onSequence(ev)
		case d := <-l.hookC:
			done, err = l.onHookDone(d)
		case r := <-l.healthC:
			done, err = l.onHealth(r)
		case r := <-l.sampleC:
			done, err = l.onSample(r)
		case r := <-l.s.reqs:
			done, err = l.onRequest(r)
		case sig := <-l.forward:
			l.onSignal(sig)
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

// publish stores a snapshot of the state for Status and hands one to
// OnStatus.
func (l *loop) publish() {
	st := l.store()
	if l.s.opts.OnStatus != nil {
		l.s.opts.OnStatus(st.clone())
	}
}

// store stores a snapshot of the state for Status alone: for a figure that
// changes on every health check (its duration), which Status readers want
// but which is no state change worth an OnStatus (a status file write).
func (l *loop) store() Status {
	st := l.st.clone()
	l.s.status.Store(&st)
	return st
}

// startChild starts a child, its health checks and its post_start hook. A
// start failure is handled as a failed start.
func (l *loop) startChild() (done bool, err error) {
	l.st.State, l.st.NextStart, l.st.Waiting = StateStarting, time.Time{}, ""
	l.publish()
	p, err := l.s.start()
	if err != nil {
		l.s.log.Warn("child start failed", "err", err)
		return l.failedStart(err)
	}
	l.st.Started = time.Now()
	l.proc = p
	if c, ok := p.(*child); ok {
		l.s.tree.Store(c.tree)
	}
	l.st.State, l.st.PID = StateRunning, p.pid()
	l.st.Health, l.st.HealthFailures, l.st.HealthCheckDuration = "", 0, 0
	if l.s.opts.Health.Check != nil {
		l.st.Health = HealthStarting
	}
	l.scheduleChild(true)
	l.publish()
	l.s.log.Info("child started", append([]any{"pid", l.st.PID}, schedAttrs(l.s.opts)...)...)
	l.health = l.startHealth()
	l.limits = l.startLimits()
	if h := l.s.opts.Hooks.PostStart; h.Argv != nil {
		l.postStart = l.runHookTask(eventPostStart, h, l.st.PID, nil)
	}
	return false, nil
}

// onExit records the exit of a started child and continues (afterExit).
func (l *loop) onExit(e Exit) (done bool, err error) {
	pid := l.st.PID
	l.proc, l.st.PID = nil, 0
	l.s.tree.Store(nil)
	stopped := l.endStop(e.At)
	if e.Err == nil {
		e.Uptime = max(0, e.At.Sub(l.st.Started))
		attrs := []any{"pid", pid, "code", e.Code, "uptime", e.Uptime}
		if e.Signal != "" {
			attrs = append(attrs, "signal", e.Signal)
		}
		l.s.log.Info("child exited", append(attrs, stopped...)...)
	}
	l.st.LastExit = &e
	l.scheduleChild(false)
	return l.afterExit(e, pid)
}

// stopped records the end of a cancelled Run.
func (l *loop) stopped() error {
	l.stopTimer()
	l.unschedule()
	if l.beat != nil {
		l.beat.Stop()
		l.beat = nil
	}
	l.st.State, l.st.NextStart = StateStopped, time.Time{}
	l.publish()
	if r := l.st.LastStop; l.stopping && r != nil {
		l.s.log.Info("stopped", "by", stepLabel(r.By), "step", r.Step, "after", r.After)
	} else {
		l.s.log.Info("stopped")
	}
	return nil
}
