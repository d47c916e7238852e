package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// defaultHookTimeout is Hook.Timeout when it is left zero.
const defaultHookTimeout = 30 * time.Second

// The hook events, also the value of WRAPPER_EVENT.
const (
	eventPreStart  = "pre_start"
	eventPostStart = "post_start"
	eventPreStop   = "pre_stop"
	eventPostStop  = "post_stop"
	eventGiveUp    = "give_up"
)

// Limits of the hook output that reaches the Logger: a hook is a short
// script, and a runaway one must not flood the wrapper's own log.
const (
	maxHookLine    = 4 << 10 // bytes per record; longer lines are cut
	maxHookRecords = 100     // records per hook run, stdout and stderr together
)

// Hook is a command run at one point of the child's life (see Hooks).
type Hook struct {
	// Argv is the program and its arguments, run directly, never through a
	// shell. A program without a path separator is looked up in the
	// wrapper's PATH. nil (or empty) means no hook.
	Argv []string
	// Timeout bounds one run of the hook: when it is exceeded the hook's
	// whole process tree is killed and the hook has failed. Default (0) 30s.
	Timeout time.Duration
}

// Hooks are commands run around every child's life. Each runs in the
// child's working directory (Options.Dir) with the child's environment
// (Options.Env, or the wrapper's when nil) plus
//
//	WRAPPER_EVENT      pre_start, post_start, pre_stop, post_stop or give_up
//	WRAPPER_CHILD_PID  the child's process id (not for pre_start, give_up)
//	WRAPPER_EXIT_CODE  the child's exit code, -1 after a signal or a
//	                   start failure (post_stop, give_up)
//	WRAPPER_RESTARTS   Status.Restarts
//
// Its output goes to the Logger, one Info record "hook output" per line
// (attributes hook, stream and line; lines cut at 4 KiB, at most 100
// records per run). A hook that exceeds its Timeout, or that is abandoned
// (see each hook), is killed with its whole process tree, the same way the
// child's tree is: its process group on Unix, its Job Object on Windows.
type Hooks struct {
	// PreStart runs before every start of the child, after the WaitFor
	// conditions are met, in StateWaiting. A failure (an exit code other
	// than 0, a timeout, a program that cannot start) prevents that start
	// and counts as a failed start: the backoff and the circuit breaker
	// apply. It is killed when Run is cancelled.
	PreStart Hook
	// PostStart runs after every start, while the child runs. A failure is
	// logged and otherwise ignored. It is killed when the child stops
	// before it ends.
	PostStart Hook
	// PreStop runs before the stop ladder of every graceful stop (Run
	// cancelled, a failed health check, RestartChild, Update), but not
	// when the child exits by itself. The stop signal follows when it
	// ends, whatever its result, so a graceful stop can take
	// PreStop.Timeout plus StopOptions.Timeout. A child that exits while
	// PreStop runs is not waited for twice: PostStop follows PreStop.
	PreStop Hook
	// PostStop runs after every exit of a started child (not after a start
	// that failed), before the restart decision and its backoff. It runs
	// also when Run was cancelled, and Run returns after it.
	PostStop Hook
	// OnGiveUp runs when the circuit breaker trips (StateGaveUp), after
	// PostStop, with the last exit's code, beside the heartbeat's failure
	// signal; Run returns its ErrGaveUp error once both are done. It is
	// the place to raise an alarm or collect evidence. A failure is
	// logged. It runs to its end (or Timeout) also when Run is cancelled
	// meanwhile.
	OnGiveUp Hook
}

// normalizeHooks fills in default timeouts and copies the argument lists.
func normalizeHooks(h *Hooks) []error {
	var errs []error
	for _, x := range []struct {
		event string
		h     *Hook
	}{{eventPreStart, &h.PreStart}, {eventPostStart, &h.PostStart}, {eventPreStop, &h.PreStop},
		{eventPostStop, &h.PostStop}, {eventGiveUp, &h.OnGiveUp}} {
		if len(x.h.Argv) == 0 {
			x.h.Argv = nil
		} else if x.h.Argv[0] == "" {
			errs = append(errs, fmt.Errorf("%s hook: empty program name", x.event))
		}
		x.h.Argv = slices.Clone(x.h.Argv)
		switch {
		case x.h.Timeout < 0:
			errs = append(errs, fmt.Errorf("%s hook timeout %v is negative", x.event, x.h.Timeout))
		case x.h.Timeout == 0:
			x.h.Timeout = defaultHookTimeout
		}
	}
	return errs
}

// hookRun is one run of a hook, prepared by the loop so that the hook's
// goroutine reads nothing the loop may change.
type hookRun struct {
	event string
	hook  Hook
	dir   string
	env   []string
	log   *slog.Logger
}

// runHook runs a hook to its end, or kills it at its timeout or when ctx
// ends. It is the Supervisor's default hook function.
func runHook(ctx context.Context, r hookRun) error {
	ctx, cancel := context.WithTimeout(ctx, r.hook.Timeout)
	defer cancel()
	out := &hookOutput{log: r.log, event: r.event}
	e, err := runCommand(ctx, Options{Path: r.hook.Argv[0], Args: r.hook.Argv[1:], Dir: r.dir, Env: r.env,
		Stdout: out.stream("stdout"), Stderr: out.stream("stderr"), Logger: r.log})
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("timed out after %v (killed)", r.hook.Timeout)
	case err != nil:
		return err
	case e.Code != 0 || e.Signal != "":
		return errors.New(e.String())
	}
	return nil
}

// hookRun prepares a run of h for event; pid and e describe the child when
// there is one.
func (l *loop) hookRun(event string, h Hook, pid int, e *Exit) hookRun {
	env := l.s.opts.Env
	if env == nil {
		env = os.Environ()
	}
	// Appended last: os/exec keeps the last value of a name given twice
	// (case-insensitively on Windows), so these win over inherited ones.
	add := []string{"WRAPPER_EVENT=" + event, "WRAPPER_RESTARTS=" + strconv.Itoa(l.st.Restarts)}
	if pid != 0 {
		add = append(add, "WRAPPER_CHILD_PID="+strconv.Itoa(pid))
	}
	if e != nil {
		add = append(add, "WRAPPER_EXIT_CODE="+strconv.Itoa(e.Code))
	}
	return hookRun{event: event, hook: h, dir: l.s.opts.Dir, env: slices.Concat(env, add), log: l.s.log}
}

// hookDone reports the end of a hook run in a task.
type hookDone struct {
	t     *task
	event string
	err   error
}

// runHookTask runs a hook in a task that reports to hookC.
func (l *loop) runHookTask(event string, h Hook, pid int, e *Exit) *task {
	r := l.hookRun(event, h, pid, e)
	run, ch := l.s.hook, l.hookC
	l.s.log.Info("running hook", "hook", event)
	return l.spawn(func(ctx context.Context, t *task) {
		deliver(ctx, ch, hookDone{t: t, event: event, err: run(ctx, r)})
	})
}

// onHookDone continues after a post_start, pre_stop or post_stop hook.
func (l *loop) onHookDone(d hookDone) (done bool, err error) {
	switch d.t {
	case l.postStart:
		l.postStart = nil
	case l.hook:
		l.hook = nil
	default:
		return false, nil // a hook the loop abandoned
	}
	if d.err != nil {
		l.s.log.Warn("hook failed", "hook", d.event, "err", d.err)
	} else {
		l.s.log.Info("hook done", "hook", d.event)
	}
	switch {
	case d.event == eventPostStart:
		return false, nil
	case d.event == eventPostStop:
		return l.settleExit()
	case d.event == eventGiveUp:
		return l.giveUpDone()
	case l.proc != nil:
		return l.startLadder()
	}
	return l.cleanup() // the child exited while pre_stop ran

}

// hookOutput logs a hook's output lines, with a budget of records shared by
// its streams.
type hookOutput struct {
	log     *slog.Logger
	event   string
	mu      sync.Mutex
	records int
}

// stream returns the io.ReaderFrom for one of the hook's streams.
func (h *hookOutput) stream(name string) io.ReaderFrom {
	return readerFromFunc(func(r io.Reader) (int64, error) { return h.read(r, name) })
}

// read logs every line of r until EOF. It keeps reading after the budget is
// spent or a line is cut, so that the hook never blocks on a full pipe.
func (h *hookOutput) read(r io.Reader, stream string) (int64, error) {
	br := bufio.NewReaderSize(r, maxHookLine)
	var n int64
	cut := false // the current line was cut; drop the rest of it
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if len(chunk) > 0 && !cut {
			h.line(stream, strings.TrimRight(string(chunk), "\r\n"))
		}
		cut = errors.Is(err, bufio.ErrBufferFull)
		switch {
		case cut:
		case errors.Is(err, io.EOF):
			return n, nil
		case err != nil:
			return n, err
		}
	}
}

func (h *hookOutput) line(stream, text string) {
	h.mu.Lock()
	h.records++
	k := h.records
	h.mu.Unlock()
	switch {
	case k <= maxHookRecords:
		h.log.Info("hook output", "hook", h.event, "stream", stream, "line", text)
	case k == maxHookRecords+1:
		h.log.Warn("hook output truncated", "hook", h.event, "records", maxHookRecords)
	}
}

// readerFromFunc adapts a function to io.ReaderFrom.
type readerFromFunc func(io.Reader) (int64, error)

// ReadFrom implements io.ReaderFrom.
func (f readerFromFunc) ReadFrom(r io.Reader) (int64, error) { return f(r) }
