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

// limitAt and breach are a limit breach for the tests.
var (
	limitAt = time.Date(2026, 3, 8, 3, 0, 0, 0, time.UTC)
	breach  = supervisor.LimitBreach{Resource: supervisor.LimitMemory, Value: 1.2 * (1 << 30), Limit: 1 << 30,
		For: 5 * time.Minute, At: limitAt}
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
		{supervisor.Status{State: supervisor.StateGaveUp, Failures: 3, Started: limitAt.Add(-time.Minute),
			LastExit: &supervisor.Exit{Code: 0}, LastLimit: &breach},
			"gave up after 3 consecutive failures; child stopped over its limit (memory 1.2 GB > 1 GB for 5m)"},
		{supervisor.Status{State: supervisor.StateExited, Started: limitAt.Add(time.Minute),
			LastExit: &supervisor.Exit{Code: 1}, LastLimit: &breach},
			"child exited with code 1; not restarted"}, // an earlier child's limit
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

// TestStatusShowsLimit: the restart reason and the last limit breached
// reach the status file and `wrapper status`.
func TestStatusShowsLimit(t *testing.T) {
	now := limitAt.Add(time.Minute)
	cfg := &config.Config{Name: "svc"}
	st := supervisor.Status{State: supervisor.StateRunning, PID: 7, Restarts: 1, Failures: 1,
		LastRestartCause: supervisor.CauseLimit, LastLimit: &breach, Started: limitAt.Add(time.Second)}
	f := newStatusFile(cfg, st, now)
	if f.LastLimit == nil || f.LastLimit.Breach != "memory 1.2 GB > 1 GB for 5m" || !f.LastLimit.At.Equal(limitAt) {
		t.Fatalf("status file last limit %+v", f.LastLimit)
	}
	var b strings.Builder
	printStatus(&b, statusReport{Service: "svc", Running: true, Status: &statusfile.Live{File: f}}, now)
	for _, want := range []string{"restarts:    1 (consecutive failures: 1), last because of: limit\n",
		"limit:       memory 1.2 GB > 1 GB for 5m, at 2026-03-08T03:00:00Z\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status output lacks %q:\n%s", want, b.String())
		}
	}
	if f = newStatusFile(cfg, supervisor.Status{State: supervisor.StateRunning}, now); f.LastLimit != nil {
		t.Fatalf("last limit %v without a limit restart", f.LastLimit)
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
