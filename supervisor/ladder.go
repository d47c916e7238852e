package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// stopState is the graceful stop under way, owned by the loop: from
// beginStop (the pre_stop hook) through the stop ladder to the child's
// exit.
type stopState struct {
	began time.Time  // when beginStop began it; zero when no stop is under way
	steps []StopStep // the ladder, fixed when it began (Update may change the options); nil before
	cur   int        // the step in effect: -1 before the first, len(steps) once the tree was killed
	timer *time.Timer
	task  *task // an http or command step in flight
}

// stepDone reports the end of an http or command step.
type stepDone struct {
	t    *task
	step int
	err  error
}

// startLadder takes the first step of the stop ladder, once the pre_stop
// hook (if any) has run.
func (l *loop) startLadder() (done bool, err error) {
	o := l.s.opts.Stop
	l.stop.steps = ladderOf(o)
	attrs := []any{"pid", l.st.PID}
	if len(o.Steps) == 0 {
		attrs = append(attrs, stopAttrs(o)...)
	} else {
		attrs = append(attrs, "steps", describeSteps(o.Steps))
	}
	l.s.log.Info("stopping", attrs...)
	l.move(nextStop(l.stop.steps, -1, -1))
	return false, nil
}

// describeSteps renders steps for the "stopping" log line.
func describeSteps(steps []StopStep) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = s.String()
	}
	return strings.Join(parts, ", ")
}

// move carries out nextStop's verdict: it takes the step and arms the wait
// for the child's exit, going on at once past steps that were skipped, or
// kills the tree after the last.
func (l *loop) move(m stopMove) {
	steps := l.stop.steps
	for m.take >= 0 {
		l.stop.task = l.stop.task.stop() // a command still asking is done
		l.stop.cur = m.take
		if m.take == len(steps) {
			l.s.log.Info("stop timeout, killing the process tree", "pid", l.st.PID)
			if err := l.proc.kill(); err != nil {
				l.s.log.Warn("kill process tree", "pid", l.st.PID, "err", err)
			}
			return
		}
		s := steps[m.take]
		l.s.log.Info("stop step", "pid", l.st.PID, "step", m.take+1, "by", stepLabel(string(s.Kind)), "timeout", s.Timeout)
		err := l.takeStep(m.take, s)
		if errors.Is(err, errStepSkipped) {
			l.s.log.Info("stop step skipped", "pid", l.st.PID, "step", stepLabel(string(s.Kind)), "reason", err)
			m = nextStop(steps, m.take, m.take)
			continue
		}
		if err != nil {
			l.s.log.Warn("stop signal", "pid", l.st.PID, "step", stepLabel(string(s.Kind)), "err", err)
		}
		l.stop.timer = time.NewTimer(m.wait)
		return
	}
}

// onStepTimeout goes on to the next step: the child did not exit in time.
func (l *loop) onStepTimeout() {
	l.stop.timer = nil
	l.move(nextStop(l.stop.steps, l.stop.cur, l.stop.cur))
}

// onStepDone continues after an http or command step ended: a failure
// skips to the next step at once, a success leaves the wait as it is.
func (l *loop) onStepDone(d stepDone) {
	if d.t != l.stop.task {
		return // a step the ladder left behind
	}
	l.stop.task = nil
	switch {
	case errors.Is(d.err, errStepSkipped):
		kind := stepLabel(string(l.stop.steps[d.step].Kind))
		l.s.log.Info("stop step skipped", "pid", l.st.PID, "step", kind, "reason", d.err)
		l.stopTimer()
		l.move(nextStop(l.stop.steps, l.stop.cur, d.step))
	case d.err != nil:
		l.s.log.Warn("stop signal", "pid", l.st.PID, "step", stepLabel(string(l.stop.steps[d.step].Kind)), "err", d.err)
	}
}

// takeStep takes step i, s: the loop's own steps here, the others by the
// process. An http or command step runs in a task that reports to stepC.
func (l *loop) takeStep(i int, s StopStep) error {
	switch s.Kind {
	case StepWMClose:
		return l.closeWindows(s)
	case StepHTTP:
		request := l.s.request
		l.stop.task = l.spawnStep(i, func(ctx context.Context) error { return request(ctx, s) })
		return nil
	case StepCommand:
		r := l.hookRun(eventStop, Hook{Argv: s.Command, Timeout: s.Timeout}, l.st.PID, nil)
		run := l.s.hook
		l.stop.task = l.spawnStep(i, func(ctx context.Context) error {
			if err := run(ctx, r); err != nil {
				return fmt.Errorf("%w: command %s: %w", errStepSkipped, s.Command[0], err)
			}
			return nil
		})
		return nil
	}
	return l.proc.step(s)
}

// spawnStep runs an http or command step in a task.
func (l *loop) spawnStep(i int, work func(ctx context.Context) error) *task {
	ch := l.stepC
	return l.spawn(func(ctx context.Context, t *task) {
		deliver(ctx, ch, stepDone{t: t, step: i, err: work(ctx)})
	})
}

// closeWindows posts WM_CLOSE to the child's windows. The step is skipped
// when the process has none.
func (l *loop) closeWindows(s StopStep) error {
	wc, ok := l.proc.(windowCloser)
	if !ok {
		return fmt.Errorf("%w: no windows on this system", errStepSkipped)
	}
	n, err := wc.closeWindows()
	if err != nil {
		l.s.log.Warn("close windows", "pid", l.st.PID, "err", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: no window", errStepSkipped)
	}
	l.s.log.Info("closing windows", "pid", l.st.PID, "windows", n, "timeout", s.Timeout)
	return nil
}

// endStop records what ended the stop under way, if one is, when the child
// exits at at: Status.LastStop and the attributes of the exit's log line.
// It ends the stop's wait and its step in flight.
func (l *loop) endStop(at time.Time) []any {
	l.stopTimer()
	l.stop.task = l.stop.task.stop()
	if l.stop.began.IsZero() {
		return nil
	}
	r := creditStop(l.stop.steps, l.stop.cur, l.stop.began, at)
	l.st.LastStop = &r
	l.stop.began = time.Time{}
	return []any{"stopped_by", stepLabel(r.By), "step", r.Step, "after", r.After}
}

// stopTimer stops the wait of the step in effect, if any.
func (l *loop) stopTimer() {
	if l.stop.timer != nil {
		l.stop.timer.Stop()
		l.stop.timer = nil
	}
}

// httpStep sends s's request. It wraps errStepSkipped when the request
// did not reach the child (the connection was refused, the URL is wrong)
// or the child refused it (a status other than 2xx); other failures (no
// answer, the connection cut: a child that stops at once may do that) are
// plain errors, and the ladder waits the step's timeout. s.Timeout bounds
// the request.
func httpStep(ctx context.Context, s StopStep) error {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	what := s.Method + " " + redact(s.URL)
	req, err := http.NewRequestWithContext(ctx, s.Method, s.URL, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", errStepSkipped, what, err)
	}
	resp, err := httpProbeClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes the whole URL
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return fmt.Errorf("%w: %s: %w", errStepSkipped, what, err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxProbeBody))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: %s: status %s", errStepSkipped, what, resp.Status)
	}
	return nil
}
