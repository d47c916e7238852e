package fleet

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/internal/page"
)

// The fleet page's timing.
const (
	// CacheFor is the shortest time between two readings of the registry:
	// however many browsers load the page, the registry and the wrappers
	// are asked at most once in it.
	CacheFor = 5 * time.Second
	// gatherTimeout bounds one reading: the registry, then every wrapper's
	// /status (3 s each, 8 at a time).
	gatherTimeout = 20 * time.Second
	// refresh is the page's reload interval, in seconds.
	refresh = 10
)

// View serves the fleet as one page: each load shows the fleet as last
// read, reading it again first when that is older than CacheFor. Loads
// that come while a reading is in progress wait for that one reading.
type View struct {
	gather func(context.Context) ([]Row, error)
	now    func() time.Time
	every  time.Duration

	mu      sync.Mutex
	last    snapshot
	running chan struct{} // closed when the reading in progress ends; nil when none
}

// snapshot is one reading of the fleet.
type snapshot struct {
	rows   []Row     // the last rows read successfully
	rowsAt time.Time // when they were read
	err    error     // the last reading's error, nil when it succeeded
	at     time.Time // when the last reading ended; zero before the first
}

// NewView returns the view of the fleet that opts point at.
func NewView(opts Options) *View {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &View{gather: func(ctx context.Context) ([]Row, error) { return Gather(ctx, opts) }, now: now, every: CacheFor}
}

// current returns the fleet, reading it first when the last reading is
// older than v.every. The reading runs on its own bounded context, so a
// browser that goes away does not spoil it for the others; ctx only ends
// the wait.
func (v *View) current(ctx context.Context) snapshot {
	v.mu.Lock()
	if !v.last.at.IsZero() && v.now().Sub(v.last.at) < v.every {
		defer v.mu.Unlock()
		return v.last
	}
	if v.running == nil {
		v.running = make(chan struct{})
		go v.read(v.running)
	}
	wait := v.running
	v.mu.Unlock()
	select {
	case <-wait:
	case <-ctx.Done():
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.last
}

// read reads the fleet once and closes done. A failed reading keeps the
// rows of the last good one, and counts as a reading for the cache: a
// registry that is down is not asked again at every load.
func (v *View) read(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), gatherTimeout)
	defer cancel()
	rows, err := v.gather(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.last.at, v.last.err = v.now(), err
	if err == nil {
		v.last.rows, v.last.rowsAt = rows, v.last.at
	}
	v.running = nil
	close(done)
}

// Render writes the fleet page to w and returns the HTTP status: 502 when
// the registry could not be read and there is nothing to show. logout
// offers the log-out button.
func (v *View) Render(ctx context.Context, w io.Writer, logout bool) int {
	snap := v.current(ctx)
	now := v.now()
	data := pageData{Refresh: refresh, Now: now, At: snap.rowsAt, CacheFor: int(v.every / time.Second), Logout: logout}
	code := http.StatusOK
	switch {
	case snap.at.IsZero():
		data.Error, code = "the registry was not read yet (the client gave up waiting)", http.StatusGatewayTimeout
	case snap.err != nil:
		data.Error = snap.err.Error()
		if snap.rows == nil {
			code = http.StatusBadGateway
		}
	}
	for _, r := range snap.rows {
		data.Rows = append(data.Rows, newPageRow(r, now))
		if r.StatusError != "" {
			data.Notes = append(data.Notes, r.Host+" "+r.ID+": /status not read ("+r.StatusError+"); shown as the registry has it")
		}
		if r.Source == SourceRegistry && r.State == "unknown" && r.Note != "" {
			data.Notes = append(data.Notes, r.Host+" "+r.ID+": "+r.Note)
		}
	}
	var buf bytes.Buffer
	if err := renderPage(&buf, data); err != nil {
		io.WriteString(w, "fleet page: "+err.Error())
		return http.StatusInternalServerError
	}
	_, _ = w.Write(buf.Bytes())
	return code
}

// pageRow is a row as the page shows it.
type pageRow struct {
	Host, Service, ID, State, Class, Health, Uptime, Source, Link string
	Restarts                                                      int
}

func newPageRow(r Row, now time.Time) pageRow {
	p := pageRow{Host: r.Host, Service: r.Service, ID: r.ID, State: r.State, Class: stateClass(r),
		Health: r.Health, Restarts: r.Restarts, Uptime: "—", Source: r.Source}
	if r.ChildHealth != "" {
		p.Health += " (" + r.ChildHealth + ")"
	}
	if r.Started != nil {
		p.Uptime = page.Duration(now.Sub(*r.Started))
	}
	// The wrapper's own page, when it published its address: only an
	// http(s) URL becomes a link (html/template would neutralise another
	// scheme anyway).
	if base, ok := strings.CutSuffix(r.StatusURL, "/status"); ok &&
		(strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://")) {
		p.Link = base + "/"
	}
	return p
}

// stateClass is the CSS class of a row: bad, ok or warn.
func stateClass(r Row) string {
	switch {
	case r.Health == "critical", r.State == "backoff", r.State == "gave-up", r.State == "exited":
		return "bad"
	case r.State == "running" && r.Health == "passing":
		return "ok"
	}
	return "warn"
}
