// Package metrics keeps what a running wrapper knows beyond its
// supervisor's snapshot — restarts by reason, and the last hour of
// restarts and memory minute by minute (Recorder) — and exports all of it,
// with the supervisor's status, the log files' counters and the child
// tree's usage, in the Prometheus text format (New). The wrapper creates
// both only when its http listener is on: with it off, nothing here runs
// and no registry exists.
package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/supervisor"
)

// Reason is why the child was restarted: the reason label of
// wrapper_restarts_total. The set is fixed (Reasons) so that every series
// exists from the first scrape, at 0, and a future reason fits.
type Reason string

// The restart reasons.
const (
	// ReasonCrash: the child exited (or failed to start) and the restart
	// policy restarted it.
	ReasonCrash Reason = "crash"
	// ReasonHealth: its health check failed too often.
	ReasonHealth Reason = "health"
	// ReasonReload: a reload changed how it is started.
	ReasonReload Reason = "reload"
	// ReasonRequest: restart-child (CLI or POST /restart-child).
	ReasonRequest Reason = "request"
	// ReasonSchedule: a scheduled restart (restart.every, restart.at).
	ReasonSchedule Reason = "schedule"
	// ReasonLimit: the child's tree stayed over a resource limit
	// (limits.memory, limits.cpu).
	ReasonLimit Reason = "limit"
)

// Reasons lists every Reason, in the order the page shows them.
var Reasons = []Reason{ReasonCrash, ReasonHealth, ReasonReload, ReasonRequest, ReasonSchedule, ReasonLimit}

// ReasonOf maps a supervisor restart cause (Status.LastRestartCause) to
// its Reason; an unknown cause counts as a crash, the restart policy's
// own case.
func ReasonOf(cause string) Reason {
	switch cause {
	case supervisor.CauseHealth:
		return ReasonHealth
	case supervisor.CauseUpdate:
		return ReasonReload
	case supervisor.CauseRequest:
		return ReasonRequest
	case supervisor.CauseSchedule:
		return ReasonSchedule
	case supervisor.CauseLimit:
		return ReasonLimit
	}
	return ReasonCrash
}

// Restart is one restart the Recorder saw.
type Restart struct {
	At     time.Time
	Reason Reason
}

// Minute is one minute of the last hour.
type Minute struct {
	// Start is the minute's first instant.
	Start time.Time
	// Restarts counts the restarts in it.
	Restarts int
	// RSS is the child tree's resident memory in bytes when the minute was
	// sampled; meaningful only when Sampled.
	RSS int64
	// Sampled reports whether a memory sample fell in this minute (none
	// when no child ran, or before the Recorder's first tick).
	Sampled bool
}

// keepRecent is how many restarts Recent returns.
const keepRecent = 10

// Recorder counts restarts by reason and keeps the last hour minute by
// minute. Observe is fed every status change; Run samples memory once a
// minute. Safe for concurrent use.
type Recorder struct {
	now func() time.Time

	mu       sync.Mutex
	seen     int // Status.Restarts already counted
	byReason map[Reason]int64
	recent   []Restart  // the last keepRecent restarts, oldest first
	hour     [60]bucket // indexed by Unix minute mod 60
}

// bucket is one minute of the ring: minute is its Unix minute number.
type bucket struct {
	minute   int64
	restarts int
	rss      int64
	sampled  bool
}

// NewRecorder returns an empty Recorder on the real clock.
func NewRecorder() *Recorder {
	return &Recorder{now: time.Now, byReason: map[Reason]int64{}}
}

// Observe counts the restarts st shows beyond those already seen, each
// with st's LastRestartCause (the supervisor hands over every status
// change, and each restart is its own). It takes a lock and no I/O, so
// the supervisor's loop can call it.
func (r *Recorder) Observe(st supervisor.Status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := st.Restarts - r.seen
	if n <= 0 {
		return
	}
	r.seen = st.Restarts
	reason, now := ReasonOf(st.LastRestartCause), r.now()
	r.byReason[reason] += int64(n)
	r.at(now).restarts += n
	r.recent = append(r.recent, Restart{At: now, Reason: reason})
	if len(r.recent) > keepRecent {
		r.recent = r.recent[len(r.recent)-keepRecent:]
	}
}

// at returns the bucket of t's minute, emptied if it held an older one.
// Called with mu held.
func (r *Recorder) at(t time.Time) *bucket {
	m := t.Unix() / 60
	b := &r.hour[m%60]
	if b.minute != m {
		*b = bucket{minute: m}
	}
	return b
}

// Sample records the child tree's resident memory for the current minute.
func (r *Recorder) Sample(rss int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.at(r.now())
	b.rss, b.sampled = rss, true
}

// Offer records rss for the current minute unless it has a sample
// already: a page view, which reads the memory anyway, fills the minute
// before the next tick does.
func (r *Recorder) Offer(rss int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.at(r.now()); !b.sampled {
		b.rss, b.sampled = rss, true
	}
}

// Run samples usage once a minute until ctx ends: the one periodic
// wake-up the page costs. A minute without a running child (usage fails)
// stays unsampled.
func (r *Recorder) Run(ctx context.Context, usage func() (supervisor.Usage, error)) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if u, err := usage(); err == nil {
			r.Sample(u.RSS)
		}
	}
}

// Restarts returns the restarts counted per reason, every reason present.
func (r *Recorder) Restarts() map[Reason]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[Reason]int64, len(Reasons))
	for _, k := range Reasons {
		out[k] = r.byReason[k]
	}
	return out
}

// Recent returns the last restarts, oldest first.
func (r *Recorder) Recent() []Restart {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Restart(nil), r.recent...)
}

// Hour returns the 60 minutes up to and including the current one, oldest
// first.
func (r *Recorder) Hour() []Minute {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now().Unix() / 60
	out := make([]Minute, 0, 60)
	for m := now - 59; m <= now; m++ {
		mn := Minute{Start: time.Unix(m*60, 0)}
		if b := r.hour[m%60]; b.minute == m {
			mn.Restarts, mn.RSS, mn.Sampled = b.restarts, b.rss, b.sampled
		}
		out = append(out, mn)
	}
	return out
}
