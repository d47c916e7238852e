package wrapper

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
	"github.com/wrapper-dev/wrapper/supervisor"
)

func TestStatusTextEnds(t *testing.T) {
	tests := []struct {
		st   supervisor.Status
		want string
	}{
		{supervisor.Status{State: supervisor.StateGaveUp, Failures: 10, LastExit: &supervisor.Exit{Code: -1, Signal: "SIGSEGV"}},
			"gave up after 10 consecutive failures; child killed by SIGSEGV"},
		{supervisor.Status{State: supervisor.StateExited, LastExit: &supervisor.Exit{Code: -1, Err: errors.New("no such file")}},
			"child failed to start: no such file; not restarted"},
		{supervisor.Status{State: supervisor.StateWaiting, Waiting: "tcp db:5432"}, "waiting for tcp db:5432"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 7, Restarts: 1,
			NextScheduledRestart: time.Date(2026, 3, 8, 3, 0, 0, 0, time.UTC)},
			"child running, pid 7, 1 restarts, scheduled restart 2026-03-08 03:00 UTC"},
	}
	for _, tt := range tests {
		if got := statusText(tt.st); got != tt.want {
			t.Errorf("statusText(%s) = %q, want %q", tt.st.State, got, tt.want)
		}
	}
}

// TestChildEnvDropsNotifySocket: systemd's socket is the wrapper's; a child
// that inherited it could report readiness in the wrapper's place.
func TestChildEnvDropsNotifySocket(t *testing.T) {
	t.Setenv(envNotifySocket, "/run/systemd/notify")
	cfg := notifyTestConfig(t)
	for _, kv := range childEnv(cfg, "/usr/bin/wrapper") {
		if strings.HasPrefix(kv, envNotifySocket+"=") {
			t.Fatalf("child environment has %s", kv)
		}
	}
	cfg.Env = []string{envNotifySocket + "=/explicit"} // the YAML may still set it on purpose
	if env := childEnv(cfg, "/usr/bin/wrapper"); !slices.Contains(env, envNotifySocket+"=/explicit") {
		t.Errorf("an explicit env entry was dropped: %q", env)
	}
}

// notifyTestConfig loads a minimal valid configuration.
func notifyTestConfig(t *testing.T) *config.Config {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(writeFile(t, t.TempDir(), "svc.yaml", "name: svc\nexecutable: "+strconv.Quote(exe)+"\n"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestStatusShowsScheduledRestart: the next scheduled restart reaches the
// status file and `wrapper status`.
func TestStatusShowsScheduledRestart(t *testing.T) {
	now := time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)
	next := now.Add(time.Hour)
	cfg := &config.Config{Name: "svc"}
	f := newStatusFile(cfg, supervisor.Status{State: supervisor.StateRunning, PID: 7, NextScheduledRestart: next}, now)
	if f.NextScheduledRestart == nil || !f.NextScheduledRestart.Equal(next) {
		t.Fatalf("status file next scheduled restart %v, want %v", f.NextScheduledRestart, next)
	}
	var b strings.Builder
	printStatus(&b, statusReport{Service: "svc", Running: true, Status: &statusfile.Live{File: f}}, now)
	if want := "scheduled:   restart in 1h0m0s (2026-03-08T03:00:00Z)\n"; !strings.Contains(b.String(), want) {
		t.Fatalf("status output lacks %q:\n%s", want, b.String())
	}
	if f = newStatusFile(cfg, supervisor.Status{State: supervisor.StateRunning}, now); f.NextScheduledRestart != nil {
		t.Fatalf("next scheduled restart %v without a schedule", f.NextScheduledRestart)
	}
}

// TestStatusShowsLastStop: the step that ended the child at the last stop
// reaches the status file and `wrapper status`.
func TestStatusShowsLastStop(t *testing.T) {
	now := time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)
	cfg := &config.Config{Name: "svc"}
	r := supervisor.StopResult{Step: 2, By: "close_stdin", After: 312 * time.Millisecond, At: now.Add(-time.Minute)}
	f := newStatusFile(cfg, supervisor.Status{State: supervisor.StateStopped, LastStop: &r}, now)
	want := statusfile.Stop{Step: 2, By: "close_stdin", After: "312ms", Meaning: "step 2 (close_stdin) after 312ms", At: r.At}
	if f.LastStop == nil || *f.LastStop != want {
		t.Fatalf("status file last stop %+v, want %+v", f.LastStop, want)
	}
	var b strings.Builder
	printStatus(&b, statusReport{Service: "svc", Status: &statusfile.Live{File: f}}, now)
	if want := "last stop:   step 2 (close_stdin) after 312ms, at 2026-03-08T01:59:00Z\n"; !strings.Contains(b.String(), want) {
		t.Fatalf("status output lacks %q:\n%s", want, b.String())
	}
	r = supervisor.StopResult{By: supervisor.StopKill, After: 12 * time.Second, At: now}
	f = newStatusFile(cfg, supervisor.Status{State: supervisor.StateStopped, LastStop: &r}, now)
	if f.LastStop.Meaning != "killed after 12s (no step ended the child)" || f.LastStop.Step != 0 || f.LastStop.By != "kill" {
		t.Fatalf("killed: %+v", f.LastStop)
	}
	if f = newStatusFile(cfg, supervisor.Status{State: supervisor.StateRunning}, now); f.LastStop != nil {
		t.Fatalf("last stop %+v before any stop", f.LastStop)
	}
}
