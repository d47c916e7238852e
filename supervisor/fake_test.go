package supervisor

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// run is one planned child run of the fake starter.
type run struct {
	code       int
	signal     string
	after      time.Duration // exits by itself this long after its start
	startErr   error         // the start fails
	hang       bool          // runs until stopped or killed
	ignoreStop bool          // only kill ends it
	cleanStop  bool          // the stop request makes it exit with code 0
	beforeExit func()        // called just before the exit is reported
	atStart    bool          // exits inside start, before the loop selects again
	// usage is what the child's tree uses this long after its start; nil
	// uses nothing.
	usage func(elapsed time.Duration) (Usage, error)
}

// fakeStarter replaces Supervisor.start: it plays a plan of runs in fake
// time (inside a synctest bubble) and records when each start happened.
// Once the plan is used up, children hang.
type fakeStarter struct {
	mu     sync.Mutex
	t0     time.Time
	plan   []run
	starts []time.Duration // offsets from t0
	procs  []*fakeProc
}

func (f *fakeStarter) start() (process, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, time.Since(f.t0))
	r := run{hang: true}
	if len(f.plan) > 0 {
		r, f.plan = f.plan[0], f.plan[1:]
	}
	if r.startErr != nil {
		return nil, r.startErr
	}
	p := &fakeProc{id: 1000 + len(f.starts), exit: make(chan Exit, 1), ignoreStop: r.ignoreStop, cleanStop: r.cleanStop,
		use: r.usage, started: time.Now()}
	f.procs = append(f.procs, p)
	exit := func() {
		if r.beforeExit != nil {
			r.beforeExit()
		}
		p.finish(r.code, r.signal)
	}
	switch {
	case r.atStart:
		exit()
	case !r.hang:
		time.AfterFunc(r.after, exit)
	}
	return p, nil
}

// startTimes returns the recorded start offsets.
func (f *fakeStarter) startTimes() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.starts...)
}

// fakeProc is a child that exits when told to.
type fakeProc struct {
	id         int
	exit       chan Exit
	once       sync.Once
	ignoreStop bool
	cleanStop  bool
	use        func(elapsed time.Duration) (Usage, error)
	started    time.Time
	mu         sync.Mutex
	stops      int
	steps      []StepKind
	kills      int
}

// usage plays the run's usage (see measurer).
func (p *fakeProc) usage() (Usage, error) {
	if p.use == nil {
		return Usage{}, nil
	}
	return p.use(time.Since(p.started))
}

func (p *fakeProc) pid() int          { return p.id }
func (p *fakeProc) done() <-chan Exit { return p.exit }

func (p *fakeProc) finish(code int, signal string) {
	p.once.Do(func() { p.exit <- Exit{Code: code, Signal: signal, At: time.Now()} })
}

// step takes any step as a stop request; the steps it got are recorded.
func (p *fakeProc) step(s StopStep) error {
	p.mu.Lock()
	p.stops++
	p.steps = append(p.steps, s.Kind)
	p.mu.Unlock()
	switch {
	case p.cleanStop:
		p.finish(0, "")
	case !p.ignoreStop:
		p.finish(-1, "SIGTERM")
	}
	return nil
}

func (p *fakeProc) kill() error {
	p.mu.Lock()
	p.kills++
	p.mu.Unlock()
	p.finish(-1, "SIGKILL")
	return nil
}

func (p *fakeProc) counts() (stops, kills int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stops, p.kills
}

// logBuf collects log output safely from several goroutines.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// mustLog fails t unless the log has a line containing every part.
func (b *logBuf) mustLog(t *testing.T, parts ...string) {
	t.Helper()
	for line := range strings.SplitSeq(b.String(), "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return
		}
	}
	t.Errorf("no log line with %q in:\n%s", parts, b.String())
}

// mustNotLog fails t if any log line contains text.
func (b *logBuf) mustNotLog(t *testing.T, text string) {
	t.Helper()
	if strings.Contains(b.String(), text) {
		t.Errorf("log has %q:\n%s", text, b.String())
	}
}

// newFake returns a Supervisor whose children are fakes playing plan, with
// jitter neutralised so delays are exact. Call it inside the bubble.
func newFake(t *testing.T, r RestartOptions, stop StopOptions, plan ...run) (*Supervisor, *fakeStarter, *logBuf) {
	t.Helper()
	return newFakeOpts(t, Options{Restart: r, Stop: stop}, plan...)
}

// newFakeOpts is newFake with more options; Path and Logger are set here.
func newFakeOpts(t *testing.T, o Options, plan ...run) (*Supervisor, *fakeStarter, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	o.Path, o.Logger = "fake", slog.New(slog.NewTextHandler(lb, nil))
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeStarter{t0: time.Now(), plan: plan}
	s.start = f.start
	// The real setup and enter may call signal.Notify, which must not
	// happen inside a synctest bubble.
	s.setup = func() func() { return func() {} }
	s.enter = func() (held, error) { return held{release: func() {}}, nil }
	s.backoff.rand = fixed(0.5)
	return s, f, lb
}

// runAsync runs s in a goroutine and returns its result channel.
func runAsync(ctx context.Context, s *Supervisor) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	return errc
}

// stopRun cancels a Run started by runAsync and fails t unless Run then
// returns nil.
func stopRun(t *testing.T, cancel context.CancelFunc, errc <-chan error) {
	t.Helper()
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}
