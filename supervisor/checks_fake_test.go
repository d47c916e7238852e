package supervisor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// errDown is what fake probes return while the thing they check is down.
var errDown = errors.New("connection refused")

// fakeProbe is a Probe in fake time: it passes when up says so for the
// time since t0, or blocks until its context ends when hang is set. It
// records when it was called.
type fakeProbe struct {
	t0    time.Time
	up    func(elapsed time.Duration) bool
	hang  bool
	mu    sync.Mutex
	calls []time.Duration
}

// probeUpFrom returns a probe that fails before d and passes from d on.
func probeUpFrom(t0 time.Time, d time.Duration) *fakeProbe {
	return &fakeProbe{t0: t0, up: func(e time.Duration) bool { return e >= d }}
}

// probeDown returns a probe that always fails.
func probeDown(t0 time.Time) *fakeProbe {
	return &fakeProbe{t0: t0, up: func(time.Duration) bool { return false }}
}

func (p *fakeProbe) check(ctx context.Context) error {
	p.mu.Lock()
	p.calls = append(p.calls, time.Since(p.t0))
	p.mu.Unlock()
	if p.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if p.up(time.Since(p.t0)) {
		return nil
	}
	return errDown
}

func (p *fakeProbe) callTimes() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

// hookCall is one recorded hook run.
type hookCall struct {
	event string
	at    time.Duration // since t0
	env   []string
	dir   string
}

// hookPlay is how one fake hook run behaves: it takes take and returns
// err, or with hang it runs until its context ends.
type hookPlay struct {
	take time.Duration
	err  error
	hang bool
}

// fakeHooks replaces Supervisor.hook in fake time. Each event plays its
// queue of hookPlay, then succeeds at once.
type fakeHooks struct {
	t0        time.Time
	mu        sync.Mutex
	plays     map[string][]hookPlay
	calls     []hookCall
	cancelled []string // events whose run ended by its context
}

// withFakeHooks installs fake hooks on s (inside the bubble).
func withFakeHooks(s *Supervisor, t0 time.Time, plays map[string][]hookPlay) *fakeHooks {
	h := &fakeHooks{t0: t0, plays: plays}
	s.hook = h.run
	return h
}

func (h *fakeHooks) run(ctx context.Context, r hookRun) error {
	h.mu.Lock()
	h.calls = append(h.calls, hookCall{event: r.event, at: time.Since(h.t0), env: r.env, dir: r.dir})
	var p hookPlay
	if q := h.plays[r.event]; len(q) > 0 {
		p, h.plays[r.event] = q[0], q[1:]
	}
	h.mu.Unlock()
	t := time.NewTimer(p.take)
	defer t.Stop()
	if p.hang {
		t.Stop()
	}
	select {
	case <-t.C:
		return p.err
	case <-ctx.Done():
		h.mu.Lock()
		h.cancelled = append(h.cancelled, r.event)
		h.mu.Unlock()
		return ctx.Err()
	}
}

// events returns the recorded runs as "event@seconds" strings, e.g.
// "pre_start@0s".
func (h *fakeHooks) events() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, c := range h.calls {
		out = append(out, c.event+"@"+c.at.String())
	}
	return out
}

// envOf returns the value of name in the environment of the i-th run, and
// whether it was set.
func (h *fakeHooks) envOf(i int, name string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, kv := range slices.Backward(h.calls[i].env) {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// cancelledEvents returns the events whose run was ended by its context.
func (h *fakeHooks) cancelledEvents() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.cancelled)
}

// statesOf collects the states OnStatus reports, with Waiting when set, as
// "waiting:db" strings.
type statusLog struct {
	mu  sync.Mutex
	all []Status
}

func (sl *statusLog) add(st Status) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.all = append(sl.all, st)
}

func (sl *statusLog) states() []string {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	var out []string
	for _, st := range sl.all {
		s := string(st.State)
		if st.Waiting != "" {
			s += ":" + st.Waiting
		}
		out = append(out, s)
	}
	return out
}
