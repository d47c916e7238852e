package wrapper

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/registry/consultest"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// TestRegistryReport: the registry's check follows the wrapper's verdict,
// one row per rule.
func TestRegistryReport(t *testing.T) {
	started := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	killed := &supervisor.Exit{Code: -1, Signal: "SIGKILL"}
	tests := []struct {
		st     supervisor.Status
		status string
		note   string // a part of the note
	}{
		{supervisor.Status{State: supervisor.StateWaiting, Waiting: "tcp db:5432"}, registry.Warning, "waiting for tcp db:5432"},
		{supervisor.Status{State: supervisor.StateStarting}, registry.Warning, "starting"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 42, Started: started}, registry.Passing, "pid 42"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 42, Started: started, Health: supervisor.HealthStarting}, registry.Warning, "starting"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 42, Started: started, Health: supervisor.HealthHealthy}, registry.Passing, "healthy"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 42, Started: started, Health: supervisor.HealthUnhealthy}, registry.Critical, "unhealthy"},
		{supervisor.Status{State: supervisor.StateBackoff, LastExit: killed, Failures: 1}, registry.Critical, "killed by SIGKILL"},
		{supervisor.Status{State: supervisor.StateStopping}, registry.Critical, "stopping"},
		{supervisor.Status{State: supervisor.StateStopped}, registry.Critical, "stopped"},
		{supervisor.Status{State: supervisor.StateExited, LastExit: killed}, registry.Critical, "not restarted"},
		{supervisor.Status{State: supervisor.StateGaveUp, LastExit: killed, Failures: 10}, registry.Critical, "gave up"},
	}
	for _, tt := range tests {
		got := registryReport(tt.st)
		if got.Status != tt.status || !strings.Contains(got.Note, tt.note) || got.State != string(tt.st.State) {
			t.Errorf("%s/%s: %+v, want %s and a note with %q", tt.st.State, tt.st.Health, got, tt.status, tt.note)
		}
		if running := tt.st.State == supervisor.StateRunning; running != !got.Started.IsZero() {
			t.Errorf("%s: Started %v", tt.st.State, got.Started)
		}
	}
}

// TestValidateRefusesBadRegistry: a bad registry section is a usage error
// naming the line and key.
func TestValidateRefusesBadRegistry(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "echo", nil, "registry:\n  consul:\n    port: 70000\n"))
	code, _, stderr := runMain(t, "validate", "--config", cfg)
	if code != ExitUsage || !strings.Contains(stderr, "svc.yaml:") || !strings.Contains(stderr, "registry.consul.port: must be at most 65535") {
		t.Errorf("validate: exit %d, stderr %q", code, stderr)
	}
}

// TestFleetStatusCommand: `wrapper fleet status` against a stand-in agent
// with two hosts, one of whose wrappers answers /status: the table, the
// JSON, and the usage and registry errors.
func TestFleetStatusCommand(t *testing.T) {
	dc := consultest.NewDatacenter("")
	a, b := dc.StartAgent(t, "host-a"), dc.StartAgent(t, "host-b")
	started := time.Now().Add(-2 * time.Hour)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/status" || r.Header.Get("Authorization") != "Bearer stok" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(statusfile.Live{File: statusfile.File{Service: "api", State: "running", PID: 4242, Started: &started, Restarts: 3}})
	}))
	defer srv.Close()
	for _, h := range []struct {
		agent *consultest.Agent
		meta  map[string]string
		rep   registry.Report
	}{
		{a, map[string]string{registry.MetaHTTP: srv.URL}, registry.Report{Status: registry.Passing, Note: "child running", State: "running"}},
		{b, nil, registry.Report{Status: registry.Critical, Note: "child exited", State: "backoff", Restarts: 9}},
	} {
		r, err := registry.Start(registry.Options{Address: h.agent.Addr(), Initial: h.rep,
			Service: registry.Service{ID: "api", Name: "api", Meta: h.meta}})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close(time.Second)
		for deadline := time.Now().Add(20 * time.Second); len(h.agent.Updates("service:api")) == 0; {
			if time.Now().After(deadline) {
				t.Fatal("never registered")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	t.Setenv("TEST_FLEET_TOKEN", "stok")
	code, stdout, stderr := runMain(t, "fleet", "status", "--consul", a.Addr(), "--token-env", "TEST_FLEET_TOKEN")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != ExitOK || len(lines) != 3 || !strings.HasPrefix(lines[0], "HOST") ||
		strings.Join(strings.Fields(lines[1]), " ") != "host-a api running passing 3 2h0m live" ||
		strings.Join(strings.Fields(lines[2]), " ") != "host-b api backoff critical 9 - registry" {
		t.Errorf("fleet status: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runMain(t, "fleet", "status", "--consul", "http://"+b.Addr(), "--json")
	var rows []struct{ Host, State, Source string }
	if err := json.Unmarshal([]byte(stdout), &rows); code != ExitOK || err != nil || len(rows) != 2 ||
		rows[0].Host != "host-a" || rows[0].Source != "registry" || rows[1].State != "backoff" {
		t.Errorf("fleet status --json: exit %d, %v\n%s", code, err, stdout)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fleet"}, ExitUsage, "want the subcommand status"},
		{[]string{"fleet", "status", "--token-env", "TEST_FLEET_UNSET"}, ExitUsage, "TEST_FLEET_UNSET is not set"},
		{[]string{"fleet", "status", "--consul", dc.NewAgent(t, "down").Addr()}, ExitError, "list the services of consul"},
	} {
		if code, _, stderr := runMain(t, tt.args...); code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}
