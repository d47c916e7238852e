package fleet

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestViewReadsAtMostOncePerCacheFor: fifty page loads, all waiting
// while a reading is in progress, share that one reading; loads within
// CacheFor of it read nothing; the first load after reads again; a failed
// reading is cached too and keeps the rows of the last good one. In a
// synctest bubble: its clock moves only when told, and synctest.Wait
// returns once every load is blocked.
func TestViewReadsAtMostOncePerCacheFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var readings atomic.Int32
		release := make(chan struct{})
		var fail atomic.Bool
		v := &View{now: time.Now, every: CacheFor, gather: func(ctx context.Context) ([]Row, error) {
			readings.Add(1)
			<-release
			if fail.Load() {
				return nil, errors.New("consul: connection refused")
			}
			return []Row{{Host: "host-a", Service: "api", ID: "api", State: "running", Health: "passing", Source: SourceRegistry}}, nil
		}}
		load := func() (int, string) {
			var b bytes.Buffer
			code := v.Render(context.Background(), &b, false)
			return code, b.String()
		}
		var wg sync.WaitGroup
		bodies := make([]string, 50)
		for i := range bodies {
			wg.Go(func() { _, bodies[i] = load() })
		}
		synctest.Wait() // every load waits for the one reading
		close(release)
		wg.Wait()
		if n := readings.Load(); n != 1 {
			t.Fatalf("%d readings for 50 concurrent loads, want 1", n)
		}
		for _, b := range bodies {
			if !strings.Contains(b, `<td class="host">host-a</td>`) {
				t.Fatalf("a load did not get the rows:\n%s", b)
			}
		}
		time.Sleep(CacheFor - time.Millisecond)
		load()
		if n := readings.Load(); n != 1 {
			t.Errorf("a load within CacheFor read again (%d readings)", n)
		}
		time.Sleep(time.Millisecond)
		fail.Store(true)
		code, body := load()
		if n := readings.Load(); n != 2 || code != http.StatusOK || !strings.Contains(body, "The registry could not be read: consul: connection refused") ||
			!strings.Contains(body, `<td class="host">host-a</td>`) {
			t.Errorf("after CacheFor with the registry down: %d readings, code %d\n%s", n, code, body)
		}
		load()
		if n := readings.Load(); n != 2 {
			t.Errorf("a failed reading was not cached: %d readings", n)
		}
	})
}

// TestViewRender: the page escapes every string from the registry and the
// wrappers, links a wrapper's own page only over http(s), shows uptime
// and the notes, and answers 502 when the registry was never read.
func TestViewRender(t *testing.T) {
	started := now.Add(-90 * time.Minute)
	hostile := `<script>alert(1)</script>"'&`
	rows := []Row{
		{Host: "host-a", Service: "api", ID: "api-1", State: "running", Health: "passing", ChildHealth: "healthy",
			Restarts: 2, Started: &started, Source: SourceLive, StatusURL: "http://10.0.0.5:9464/status"},
		{Host: hostile, Service: "evil", ID: "evil", State: hostile, Health: "critical", Source: SourceRegistry,
			StatusURL: "javascript:alert(1)//status", StatusError: hostile, Note: hostile},
		{Host: "host-b", Service: "worker", ID: "worker", State: "unknown", Health: "critical", Source: SourceRegistry,
			Note: "the wrapper stopped updating its check (TTL expired); last: child running"},
	}
	v := &View{now: func() time.Time { return now }, every: CacheFor,
		gather: func(context.Context) ([]Row, error) { return rows, nil }}
	var b bytes.Buffer
	if code := v.Render(context.Background(), &b, true); code != http.StatusOK {
		t.Fatalf("code %d", code)
	}
	page := b.String()
	for _, want := range []string{
		`<td class="service"><a href="http://10.0.0.5:9464/">api</a> <span class="muted">(api-1)</span></td>`,
		`<td class="state ok">running</td>`, `<td class="health">passing (healthy)</td>`,
		`<td class="restarts">2</td>`, `<td class="uptime">1h 30m</td>`, `<td class="source">live</td>`,
		`<td class="host">&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&amp;</td>`,
		`<td class="state bad">&lt;script&gt;`,
		`<td class="service">evil</td>`,
		`host-b worker: the wrapper stopped updating its check (TTL expired)`,
		`<meta http-equiv="refresh" content="10">`,
		`action="/logout"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "javascript:") {
		t.Errorf("hostile text became markup or a link:\n%s", page)
	}

	down := &View{now: func() time.Time { return now }, every: CacheFor,
		gather: func(context.Context) ([]Row, error) {
			return nil, errors.New("dial tcp 127.0.0.1:8500: connection refused")
		}}
	b.Reset()
	if code := down.Render(context.Background(), &b, false); code != http.StatusBadGateway ||
		!strings.Contains(b.String(), "The registry could not be read: dial tcp") || strings.Contains(b.String(), "/logout") {
		t.Errorf("registry down: code %d\n%s", code, b.String())
	}
}
