package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/registry/consultest"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// statusServer is a wrapper's HTTP API as the fleet view uses it: GET
// /status with a bearer token, answering body; it counts the requests.
func statusServer(t *testing.T, token string, body any) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method != http.MethodGet || r.URL.Path != "/status" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"unauthorized"}`))
			return
		}
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// register registers one wrapper instance with agent, as a running wrapper
// would, and waits until the agent has its report.
func register(t *testing.T, agent *consultest.Agent, id, service, httpBase string, rep registry.Report) {
	t.Helper()
	meta := map[string]string{}
	if httpBase != "" {
		meta[registry.MetaHTTP] = httpBase
	}
	r, err := registry.Start(registry.Options{Address: agent.Addr(), Token: "ctok",
		Service: registry.Service{ID: id, Name: service, Meta: meta, Version: "v1"}, Initial: rep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(time.Second) })
	deadline := time.Now().Add(20 * time.Second)
	for len(agent.Updates("service:"+id)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s never registered", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestGatherTwoHosts: four wrapper instances on two hosts, read through
// one agent. api on host-a answers /status (in the shape of `wrapper
// status --json`), worker on host-a answers the bare live status, api on
// host-b refuses the token, batch on host-b publishes no HTTP address: the
// first two rows are live, the others come from the registry.
func TestGatherTwoHosts(t *testing.T) {
	dc := consultest.NewDatacenter("ctok")
	a, b := dc.StartAgent(t, "host-a"), dc.StartAgent(t, "host-b")
	started := now.Add(-3 * time.Hour)
	apiA, apiAHits := statusServer(t, "stok", map[string]any{"service": "api", "running": true, "live": true,
		"status": statusfile.Live{File: statusfile.File{Service: "api", State: "running", PID: 4242, Started: &started,
			Restarts: 2, Health: "healthy"}}})
	workerA, _ := statusServer(t, "stok", statusfile.Live{File: statusfile.File{Service: "worker", State: "backoff", Restarts: 7}})
	apiB, _ := statusServer(t, "other", nil)
	register(t, a, "api", "api", apiA.URL+"/", registry.Report{Status: registry.Passing, Note: "child running, pid 4242", State: "running"})
	register(t, a, "worker", "worker", workerA.URL, registry.Report{Status: registry.Critical, Note: "child exited", State: "backoff", Restarts: 7})
	register(t, b, "api", "api", apiB.URL, registry.Report{Status: registry.Passing, Note: "child running, pid 99",
		State: "running", Restarts: 1, Started: now.Add(-90 * time.Second)})
	register(t, b, "batch-1", "batch", "", registry.Report{Status: registry.Warning, Note: "starting the child", State: "starting"})

	rows, err := Gather(context.Background(), Options{Consul: a.Addr(), ConsulToken: "ctok", StatusToken: "stok",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rows); err != nil {
		t.Fatal(err)
	}
	want := `HOST    SERVICE          STATE     HEALTH             RESTARTS  UPTIME  SOURCE
host-a  api              running   passing (healthy)  2         3h0m    live
host-b  api              running   passing            1         1m30s   registry
host-b  batch (batch-1)  starting  warning            0         -       registry
host-a  worker           backoff   critical           7         -       live
host-b api: /status not read (` + apiB.URL + `/status: 401 Unauthorized); shown as the registry has it
`
	if got := buf.String(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	if rows[0].PID != 4242 || rows[0].StatusURL != apiA.URL+"/status" || rows[1].StatusError == "" || rows[1].Note != "child running, pid 99" {
		t.Errorf("rows %+v", rows)
	}

	// Without a token the wrappers are not asked.
	hits := apiAHits.Load()
	rows, err = Gather(context.Background(), Options{Consul: b.Addr(), ConsulToken: "ctok", Now: func() time.Time { return now }})
	if err != nil || len(rows) != 4 || apiAHits.Load() != hits {
		t.Fatalf("without a token: %d rows, %v, /status asked %d times", len(rows), err, apiAHits.Load()-hits)
	}
	for _, r := range rows {
		if r.Source != SourceRegistry || r.StatusURL != "" {
			t.Errorf("without a token: %+v", r)
		}
	}
}

// TestGatherExpired: a wrapper that stopped updating its check is shown
// as unknown, with its last report in the note, not as still running.
func TestGatherExpired(t *testing.T) {
	dc := consultest.NewDatacenter("ctok")
	clock := time.Now()
	var jumped atomic.Bool
	dc.SetClock(func() time.Time {
		if jumped.Load() {
			return clock.Add(time.Hour)
		}
		return clock
	})
	a := dc.StartAgent(t, "host-a")
	register(t, a, "api", "api", "", registry.Report{Status: registry.Passing, Note: "child running, pid 7", State: "running"})
	jumped.Store(true)
	rows, err := Gather(context.Background(), Options{Consul: a.Addr(), ConsulToken: "ctok"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("%+v, %v", rows, err)
	}
	if r := rows[0]; r.State != "unknown" || r.Health != registry.Critical || !strings.Contains(r.Note, "TTL expired") || r.Uptime != nil {
		t.Errorf("expired: %+v", r)
	}
	var buf bytes.Buffer
	WriteTable(&buf, rows)
	if !strings.Contains(buf.String(), "host-a api: the wrapper stopped updating its check (TTL expired); last: child running, pid 7") {
		t.Errorf("table:\n%s", buf.String())
	}
}

func TestGatherRegistryDown(t *testing.T) {
	dc := consultest.NewDatacenter("")
	a := dc.NewAgent(t, "host-a") // never started
	if _, err := Gather(context.Background(), Options{Consul: a.Addr()}); err == nil {
		t.Error("no error with the registry down")
	}
}

func TestUptime(t *testing.T) {
	for secs, want := range map[int64]string{0: "0s", 59: "59s", 61: "1m1s", 3600: "1h0m", 90061: "1d1h"} {
		if got := uptime(&secs); got != want {
			t.Errorf("uptime(%d) = %q, want %q", secs, got, want)
		}
	}
	if uptime(nil) != "-" {
		t.Error("uptime(nil)")
	}
}
