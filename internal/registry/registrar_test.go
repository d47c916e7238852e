package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/registry/consultest"
)

// fastRetry keeps the tests that wait for a retry short.
var fastRetry = backoff{first: 20 * time.Millisecond, max: 100 * time.Millisecond}

// logBuffer is a log destination the registrar's goroutine and the test
// share.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// waitFor polls cond until it holds, failing the test after a generous
// deadline (a bound on a hang, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testService() Service {
	return Service{ID: "api-1", Name: "api", Port: 8080, Tags: []string{"v2", "blue"},
		Meta: map[string]string{"team": "payments", MetaHTTP: "http://10.0.0.5:9464"}, Version: "v1.2.3",
		DeregisterCriticalAfter: 90 * time.Second}
}

// lastUpdate returns the last check update the agent applied to id.
func lastUpdate(a *consultest.Agent, id string) (consultest.Update, bool) {
	u := a.Updates(id)
	if len(u) == 0 {
		return consultest.Update{}, false
	}
	return u[len(u)-1], true
}

// TestRegisterReportDeregister: the registration carries the service's
// tags, meta, port and TTL check, every request carries the token, the
// check follows Report, and Close removes the service.
func TestRegisterReportDeregister(t *testing.T) {
	dc := consultest.NewDatacenter("s3cret")
	agent := dc.StartAgent(t, "host-a")
	svc := testService()
	r, err := Start(Options{Address: agent.Addr(), Token: "s3cret", Service: svc,
		Initial: Report{Status: Warning, Note: "starting the child", State: "starting"}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first check update", func() bool { _, ok := lastUpdate(agent, svc.CheckID()); return ok })
	reg, ok := agent.Service("api-1")
	if !ok {
		t.Fatal("not registered")
	}
	if reg.Name != "api" || reg.Port != 8080 || !slices.Equal(reg.Tags, []string{"v2", "blue", Tag}) {
		t.Errorf("registration %+v", reg)
	}
	wantMeta := map[string]string{"team": "payments", MetaHTTP: "http://10.0.0.5:9464", MetaMarker: MarkerValue, MetaVersion: "v1.2.3"}
	if !equalMaps(reg.Meta, wantMeta) {
		t.Errorf("meta %v, want %v", reg.Meta, wantMeta)
	}
	if c := reg.Check; c == nil || c.CheckID != "service:api-1" || c.TTL != "30s" || c.Status != Warning ||
		c.DeregisterCriticalServiceAfter != "1m30s" || c.Notes == "" {
		t.Errorf("check %+v", reg.Check)
	}
	if u, _ := lastUpdate(agent, svc.CheckID()); u.Status != Warning || !strings.HasPrefix(u.Output, "starting the child\nstate=starting") {
		t.Errorf("first update %+v", u)
	}

	started := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	r.Report(Report{Status: Passing, Note: "child running, pid 42", State: "running", Restarts: 1, Started: started})
	waitFor(t, "the passing update", func() bool { u, _ := lastUpdate(agent, svc.CheckID()); return u.Status == Passing })
	if st, out, _ := agent.Check(svc.CheckID()); st != Passing || out != "child running, pid 42\nstate=running restarts=1 started=2026-12-07T10:00:00Z" {
		t.Errorf("check now %s %q", st, out)
	}

	if err := r.Close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, ok := agent.Service("api-1"); ok {
		t.Error("still registered after Close")
	}
	reqs := dc.Requests()
	for _, q := range reqs {
		if q.Token != "s3cret" {
			t.Errorf("%s %s without the token (X-Consul-Token %q)", q.Method, q.Path, q.Token)
		}
	}
	if last := reqs[len(reqs)-1]; last.Method != "PUT" || last.Path != "/v1/agent/service/deregister/api-1" {
		t.Errorf("last request %s %s, want the deregistration", last.Method, last.Path)
	}
	if r.Close(time.Second) != nil || len(dc.Requests()) != len(reqs) {
		t.Error("a second Close sent requests or failed")
	}
}

func equalMaps(a, b map[string]string) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestAgentDownAtStart: an agent that is not there yet is a warning and a
// retry; the service registers once the agent comes up.
func TestAgentDownAtStart(t *testing.T) {
	dc := consultest.NewDatacenter("")
	agent := dc.NewAgent(t, "host-a") // not listening yet
	var log logBuffer
	r, err := Start(Options{Address: agent.Addr(), Service: testService(), Logger: log.logger(), retry: fastRetry,
		Initial: Report{Status: Passing, Note: "child running", State: "running"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(time.Second)
	waitFor(t, "the warning", func() bool {
		return strings.Contains(log.String(), "level=WARN msg=\"consul registration failed; the child is not affected, retrying\"")
	})
	if _, ok := agent.Service("api-1"); ok {
		t.Fatal("registered with an agent that is down")
	}
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the registration", func() bool { u, _ := lastUpdate(agent, "service:api-1"); return u.Status == Passing })
	waitFor(t, "the recovery in the log", func() bool { return strings.Contains(log.String(), "up to date again") })
}

// TestAgentRestartReRegisters: an agent that restarted without its state
// answers the next TTL refresh with "unknown check"; the registrar
// registers again, without any change of the verdict to trigger it.
func TestAgentRestartReRegisters(t *testing.T) {
	dc := consultest.NewDatacenter("")
	agent := dc.StartAgent(t, "host-a")
	var log logBuffer
	r, err := Start(Options{Address: agent.Addr(), Service: testService(), Logger: log.logger(), retry: fastRetry,
		TTL: 300 * time.Millisecond, Initial: Report{Status: Passing, Note: "child running", State: "running"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(time.Second)
	waitFor(t, "the registration", func() bool { _, ok := agent.Service("api-1"); return ok })
	if err := agent.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the registration after the agent's restart", func() bool {
		st, _, ok := agent.Check("service:api-1")
		return ok && st == Passing
	})
	if !strings.Contains(log.String(), "consul no longer knows the service") {
		t.Errorf("log lacks the re-registration warning:\n%s", log.String())
	}
	regs := 0
	for _, q := range dc.Requests() {
		if q.Path == "/v1/agent/service/register" {
			regs++
			if q.Query != "replace-existing-checks=true" {
				t.Errorf("register query %q", q.Query)
			}
		}
	}
	if regs != 2 {
		t.Errorf("%d registrations, want 2", regs)
	}
}

// TestWrongToken: an agent that refuses the token leaves a warning naming
// Consul's answer; nothing else happens.
func TestWrongToken(t *testing.T) {
	dc := consultest.NewDatacenter("right")
	agent := dc.StartAgent(t, "host-a")
	var log logBuffer
	r, err := Start(Options{Address: agent.Addr(), Token: "wrong", Service: testService(), Logger: log.logger(), retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the warning", func() bool { return strings.Contains(log.String(), "403 (ACL not found)") })
	if err := r.Close(time.Second); err == nil {
		t.Error("Close: the refused deregistration is not reported")
	}
	if _, ok := agent.Service("api-1"); ok {
		t.Error("registered despite the wrong token")
	}
}

// TestCloseDoesNotHang: an agent that accepts connections and never
// answers holds Close no longer than its timeout, and neither does a
// registration in flight.
func TestCloseDoesNotHang(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn // held open, never answered
		once  sync.Once
		first = make(chan struct{})
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			once.Do(func() { close(first) })
		}
	}()
	defer func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	r, err := Start(Options{Address: l.Addr().String(), Service: testService()})
	if err != nil {
		t.Fatal(err)
	}
	<-first // the registration is in flight
	if err := r.Close(100 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close: %v, want a deadline error", err)
	}
}

func TestStartRefusesBadAddress(t *testing.T) {
	if _, err := Start(Options{Address: "ftp://127.0.0.1:8500", Service: testService()}); err == nil {
		t.Error("Start accepted an ftp:// address")
	}
}
