package wrapper

import (
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/registry"
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
