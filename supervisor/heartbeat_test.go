package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// fakePings replaces Supervisor.ping in fake time: each ping takes take,
// and its target and start are recorded.
type fakePings struct {
	t0   time.Time
	take time.Duration
	mu   sync.Mutex
	got  []string // "target@offset"
}

func withFakePings(s *Supervisor, t0 time.Time, take time.Duration) *fakePings {
	p := &fakePings{t0: t0, take: take}
	s.ping = p.ping
	return p
}

func (p *fakePings) ping(ctx context.Context, target string) error {
	p.mu.Lock()
	p.got = append(p.got, fmt.Sprintf("%s@%v", target, time.Since(p.t0)))
	p.mu.Unlock()
	select {
	case <-time.After(p.take):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *fakePings) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.got)
}

// TestHeartbeatOnlyWhileRunning: pings every Interval while the child
// runs, none while it backs off; on give-up the failure signal waits for
// the ping in flight, and Run waits for the signal and the on_give_up
// hook.
func TestHeartbeatOnlyWhileRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := RestartOptions{Delay: 3 * time.Minute, MaxDelay: 3 * time.Minute, MaxFailures: 2}
		// Runs 0–2m30s, backs off until 5m30s, runs until 7m59s: gave up.
		s, f, lb := newFakeOpts(t, Options{Restart: r, Hooks: Hooks{OnGiveUp: Hook{Argv: []string{"alarm"}}},
			Heartbeat: HeartbeatOptions{URL: "https://hc.example/ping/uuid?rid=1", Interval: time.Minute}},
			run{code: 1, after: 150 * s1}, run{code: 1, after: 149 * s1})
		h := withFakeHooks(s, f.t0, map[string][]hookPlay{eventGiveUp: {{take: 30 * s1}}})
		p := withFakePings(s, f.t0, 2*s1)
		err := s.Run(t.Context())
		if !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		// Ticks at 1m, 2m (running), 3m, 4m, 5m (backoff), 6m, 7m
		// (running); the ping of 7m58s... none: the give-up comes at 7m59s.
		want := []string{"https://hc.example/ping/uuid?rid=1@1m0s", "https://hc.example/ping/uuid?rid=1@2m0s",
			"https://hc.example/ping/uuid?rid=1@6m0s", "https://hc.example/ping/uuid?rid=1@7m0s",
			"https://hc.example/ping/uuid/fail?rid=1@7m59s"}
		if got := p.list(); !slices.Equal(got, want) {
			t.Fatalf("pings\n%q\nwant\n%q", got, want)
		}
		if got := h.events(); !slices.Equal(got, []string{"give_up@7m59s"}) {
			t.Fatalf("hooks %v", got)
		}
		if d := time.Since(f.t0); d != 7*time.Minute+59*s1+30*s1 {
			t.Fatalf("Run returned at %v, want after the 30s hook", d)
		}
		if code, _ := h.envOf(0, "WRAPPER_EXIT_CODE"); code != "1" {
			t.Errorf("give_up hook got WRAPPER_EXIT_CODE=%q, want 1", code)
		}
		lb.mustLog(t, "heartbeat failure signal sent")
		lb.mustNotLog(t, "uuid") // the URL's path is its secret
	})
}

// TestHeartbeatSkipsWhileInFlight: a ping still in flight at the next tick
// makes that tick skipped, so pings never pile up; the failure signal
// waits for it.
func TestHeartbeatSkipsWhileInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lb := &logBuf{}
		s, f, _ := newFakeOpts(t, Options{Restart: RestartOptions{MaxFailures: 1},
			Heartbeat: HeartbeatOptions{URL: "http://hc.example/p", Interval: time.Minute, Timeout: time.Hour}},
			run{code: 1, after: 150 * s1})
		s.log = slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
		p := withFakePings(s, f.t0, 100*s1) // 1m40s each
		err := s.Run(t.Context())
		if !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		// 1m: ping until 2m40s; 2m: skipped; exit at 2m30s, fail after
		// the ping in flight.
		want := []string{"http://hc.example/p@1m0s", "http://hc.example/p/fail@2m40s"}
		if got := p.list(); !slices.Equal(got, want) {
			t.Fatalf("pings %q, want %q", got, want)
		}
		lb.mustLog(t, "heartbeat skipped", "previous ping in flight")
	})
}

// TestRealHeartbeat runs a real child with a health check (a file that
// must exist) and a real HTTP server as the dead man's switch: pings
// arrive while the child is healthy, stop while it is unhealthy, resume
// when it recovers, and GET /fail comes once, last, when the wrapper gives
// up, while the on_give_up hook runs with WRAPPER_EVENT=give_up.
func TestRealHeartbeat(t *testing.T) {
	srv := newPingServer(t)
	count := srv.count
	ready := filepath.Join(t.TempDir(), "healthy")
	if err := os.WriteFile(ready, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	lb := &logBuf{}
	r := newReal(t, "until-file", []string{ready + ".stop"}, func(o *Options) {
		o.Restart = RestartOptions{MaxFailures: 1}
		o.Health = HealthOptions{Check: FileProbe(ready), Interval: 10 * time.Millisecond, Failures: 1 << 20}
		o.Heartbeat = HeartbeatOptions{URL: srv.URL + "/ping/uuid", Interval: 10 * time.Millisecond}
		o.Logger = slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.Hooks.OnGiveUp = Hook{Argv: append([]string{o.Path}, o.Args...)}
	})
	r.log = lb
	errc := make(chan error, 1)
	go func() { errc <- r.Run(context.Background()) }()

	waitPings := srv.wait
	waitPings(2) // healthy: pings arrive
	if err := os.Remove(ready); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, r.Supervisor, func(st Status) bool { return st.Health == HealthUnhealthy })
	before := count()
	// Ticks go by while unhealthy (each logs a skip); at most the ping in
	// flight when the check failed arrives.
	skips := func() int {
		return strings.Count(lb.String(), `msg="heartbeat skipped" state=running health=unhealthy`)
	}
	waitFor(t, "five skipped ticks", func() bool { return skips() >= 5 })
	if n := count(); n > before+1 {
		t.Fatalf("%d pings while unhealthy", n-before)
	}
	during := count()
	if err := os.WriteFile(ready, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitPings(during + 2) // healthy again: pings resume
	// The child exits 1 when told: with max_failures 1 the wrapper gives up.
	if err := os.WriteFile(ready+".stop", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, errc); !errors.Is(err, ErrGaveUp) {
		t.Fatalf("Run = %v, want ErrGaveUp", err)
	}
	got := srv.list()
	if got[len(got)-1] != "/ping/uuid/fail" || slices.Index(got, "/ping/uuid/fail") != len(got)-1 {
		t.Fatalf("paths %q: want /ping/uuid/fail once, last", got)
	}
	lb.mustLog(t, "hook output", "hook=give_up", `line="WRAPPER_EVENT=give_up"`)
}

// pingServer is a real HTTP server that records the paths it is asked
// for, as a dead man's switch would.
type pingServer struct {
	*httptest.Server
	t       *testing.T
	mu      sync.Mutex
	paths   []string
	arrived chan struct{} // a token per request, dropped when full
}

func newPingServer(t *testing.T) *pingServer {
	s := &pingServer{t: t, arrived: make(chan struct{}, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.Path)
		s.mu.Unlock()
		select {
		case s.arrived <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pingServer) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.paths) }

func (s *pingServer) list() []string { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.paths) }

// wait waits until n requests arrived, failing after waitLimit.
func (s *pingServer) wait(n int) {
	s.t.Helper()
	deadline := time.After(waitLimit)
	for s.count() < n {
		select {
		case <-s.arrived:
		case <-deadline:
			s.t.Fatalf("%d pings within %v, want %d", s.count(), waitLimit, n)
		}
	}
}

// untilFile is a fakechild helper: as a child, `until-file FILE` exits
// with code 1 once FILE exists; as a hook (WRAPPER_EVENT set, which the
// child never has), it prints WRAPPER_EVENT=value and exits 0.
func untilFile(args []string) int {
	if ev := os.Getenv("WRAPPER_EVENT"); ev != "" {
		fmt.Println("WRAPPER_EVENT=" + ev)
		return 0
	}
	for {
		if _, err := os.Stat(args[0]); err == nil {
			return 1
		}
		time.Sleep(10 * time.Millisecond) // the fake child's own wait, not the test's
	}
}

func init() {
	fakechild.Register("until-file", untilFile)
	testHelpers = append(testHelpers, "until-file")
}

// waitStatus polls s until cond holds, failing after waitLimit.
func waitStatus(t *testing.T, s *Supervisor, cond func(Status) bool) {
	t.Helper()
	waitFor(t, "status", func() bool { return cond(s.Status()) })
}

// waitFor polls cond every few milliseconds until it holds, failing after
// waitLimit: a deadline for an event, not a timing assumption.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, waitLimit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
