package wrapper

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// TestNotifyMessages drives notifyState through a service's life: READY=1
// once, when the child runs (and not before a health check passes),
// STATUS= only when its text changes, STOPPING=1 once.
func TestNotifyMessages(t *testing.T) {
	exit1 := &supervisor.Exit{Code: 1}
	steps := []struct {
		st   supervisor.Status // zero State: the stop request
		want string
	}{
		{supervisor.Status{State: supervisor.StateStarting}, "STATUS=starting the child"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 7, Health: supervisor.HealthStarting},
			"STATUS=child running, pid 7, starting"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 7, Health: supervisor.HealthHealthy},
			"READY=1\nSTATUS=child running, pid 7, healthy"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 7, Health: supervisor.HealthHealthy}, ""},
		{supervisor.Status{State: supervisor.StateBackoff, Failures: 1, LastExit: exit1},
			"STATUS=child exited with code 1; restarting (1 consecutive failures)"},
		{supervisor.Status{State: supervisor.StateRunning, PID: 8, Restarts: 1},
			"STATUS=child running, pid 8, 1 restarts"},
		{supervisor.Status{}, "STOPPING=1"},
		{supervisor.Status{}, ""},
		{supervisor.Status{State: supervisor.StateStopping, PID: 8}, "STATUS=stopping the child"},
		{supervisor.Status{State: supervisor.StateStopped}, "STATUS=stopped"},
	}
	var n notifyState
	for i, s := range steps {
		var got string
		if s.st.State == "" {
			got, n = n.onStop()
		} else {
			got, n = n.onStatus(s.st)
		}
		if got != s.want {
			t.Errorf("step %d (%s): message %q, want %q", i, s.st.State, got, s.want)
		}
	}
}

// TestNotifyNoReadyAfterStop: a child that comes up while the wrapper is
// already stopping must not report the service ready.
func TestNotifyNoReadyAfterStop(t *testing.T) {
	var n notifyState
	_, n = n.onStop()
	if msg, _ := n.onStatus(supervisor.Status{State: supervisor.StateRunning, PID: 3}); strings.Contains(msg, "READY=1") {
		t.Errorf("READY=1 after STOPPING=1: %q", msg)
	}
}

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
