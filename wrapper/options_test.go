package wrapper

import (
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// loadYAML loads a configuration running this test binary, followed by
// extra YAML.
func loadYAML(t *testing.T, extra string) *config.Config {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, t.TempDir(), "svc.yaml", "name: svc\nexecutable: "+strconv.Quote(exe)+"\n"+extra)
	cfg, err := config.Load(path, config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestSupervisorOptionsRestart: the restart section's actions and schedule
// reach the supervisor.
func TestSupervisorOptionsRestart(t *testing.T) {
	cfg := loadYAML(t, "restart:\n  on_exit: {0: restart, 75: stop, 3: fatal}\n  every: 12h\n  at: [\"03:00\", \"15:30\"]\n")
	o := supervisorOptions(cfg, "/usr/bin/wrapper", &outputs{}, nil)
	want := map[int]supervisor.ExitAction{0: supervisor.ActionRestart, 75: supervisor.ActionStop, 3: supervisor.ActionFatal}
	if !maps.Equal(o.Restart.OnExit, want) {
		t.Errorf("OnExit %v, want %v", o.Restart.OnExit, want)
	}
	if o.Restart.Every != 12*time.Hour ||
		!slices.Equal(o.Restart.At, []supervisor.TimeOfDay{{Hour: 3}, {Hour: 15, Minute: 30}}) {
		t.Errorf("Every %v, At %v", o.Restart.Every, o.Restart.At)
	}
	if _, err := supervisor.New(o); err != nil {
		t.Errorf("the supervisor refuses the options: %v", err)
	}
}

// TestSupervisorOptionsGiveUp: the give-up hook and the heartbeat reach
// the supervisor.
func TestSupervisorOptionsGiveUp(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadYAML(t, "hooks:\n  on_give_up: {command: ["+strconv.Quote(exe)+", alarm], timeout: 5s}\n"+
		"heartbeat: {url: \"https://hc.example/${NAME}\", interval: 2m}\n")
	o := supervisorOptions(cfg, "/usr/bin/wrapper", &outputs{}, nil)
	if h := o.Hooks.OnGiveUp; !slices.Equal(h.Argv, []string{exe, "alarm"}) || h.Timeout != 5*time.Second {
		t.Errorf("OnGiveUp %+v", h)
	}
	want := supervisor.HeartbeatOptions{URL: "https://hc.example/svc", Interval: 2 * time.Minute, Timeout: 10 * time.Second}
	if o.Heartbeat != want {
		t.Errorf("Heartbeat %+v, want %+v", o.Heartbeat, want)
	}
	if _, err := supervisor.New(o); err != nil {
		t.Errorf("the supervisor refuses the options: %v", err)
	}
}

// TestSupervisorOptionsStdinAndSteps: stdin and stop.steps reach the
// supervisor, which takes them; no steps leave its default ladder.
func TestSupervisorOptionsStdinAndSteps(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadYAML(t, "stdin: open\nstop:\n  timeout: 3s\n  steps:\n    - {ctrl_c: true, timeout: 1s}\n"+
		"    - {close_stdin: true}\n    - {http: \"http://127.0.0.1:9/stop\", method: put}\n"+
		"    - {command: ["+strconv.Quote(exe)+", stop], timeout: 2s}\n")
	o := supervisorOptions(cfg, "/usr/bin/wrapper", &outputs{}, nil)
	if o.Stdin != (supervisor.Stdin{Mode: supervisor.StdinOpen}) {
		t.Errorf("Stdin %+v", o.Stdin)
	}
	want := []supervisor.StopStep{
		{Kind: supervisor.StepCtrlC, Timeout: time.Second},
		{Kind: supervisor.StepCloseStdin, Timeout: 3 * time.Second},
		{Kind: supervisor.StepHTTP, URL: "http://127.0.0.1:9/stop", Method: "PUT", Timeout: 3 * time.Second},
		{Kind: supervisor.StepCommand, Command: []string{exe, "stop"}, Timeout: 2 * time.Second},
	}
	if !slices.EqualFunc(o.Stop.Steps, want, func(a, b supervisor.StopStep) bool {
		return a.Kind == b.Kind && a.URL == b.URL && a.Method == b.Method && slices.Equal(a.Command, b.Command) && a.Timeout == b.Timeout
	}) {
		t.Errorf("Steps %+v, want %+v", o.Stop.Steps, want)
	}
	if _, err := supervisor.New(o); err != nil {
		t.Errorf("the supervisor refuses the options: %v", err)
	}
	file := writeFile(t, t.TempDir(), "in.txt", "input\n")
	o = supervisorOptions(loadYAML(t, "stdin: {file: "+strconv.Quote(file)+"}\n"), "/usr/bin/wrapper", &outputs{}, nil)
	if o.Stdin != (supervisor.Stdin{Mode: supervisor.StdinFile, File: file}) || o.Stop.Steps != nil {
		t.Errorf("Stdin %+v, Steps %+v", o.Stdin, o.Stop.Steps)
	}
}

// TestSupervisorOptionsSched: priority and affinity reach the supervisor,
// which takes them on this host (CPU 0 exists everywhere).
func TestSupervisorOptionsSched(t *testing.T) {
	cfg := loadYAML(t, "priority: below-normal\naffinity: 0x1\n")
	o := supervisorOptions(cfg, "/usr/bin/wrapper", &outputs{}, nil)
	if o.Priority != supervisor.PriorityBelowNormal || !slices.Equal(o.Affinity, []int{0}) {
		t.Errorf("Priority %q, Affinity %v; want below-normal and [0]", o.Priority, o.Affinity)
	}
	if _, err := supervisor.New(o); err != nil {
		t.Errorf("the supervisor refuses the options: %v", err)
	}
}

// runAsync runs Main in a goroutine; the returned wait gives its exit code
// and stderr, failing the test when it does not end within a minute.
func runAsync(t *testing.T, args ...string) (wait func() (int, string)) {
	t.Helper()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, stderr := runMain(t, args...)
		done <- result{code, stderr}
	}()
	return func() (int, string) {
		t.Helper()
		select {
		case r := <-done:
			return r.code, r.stderr
		case <-time.After(time.Minute):
			t.Fatalf("wrapper %s did not end within a minute", strings.Join(args, " "))
			return 0, ""
		}
	}
}

// TestSupervisorOptionsLimits: the limits section reaches the supervisor.
func TestSupervisorOptionsLimits(t *testing.T) {
	cfg := loadYAML(t, "limits: {memory: 1GB, cpu: 150%, for: 5m}\n")
	o := supervisorOptions(cfg, "/usr/bin/wrapper", &outputs{}, nil)
	if want := (supervisor.LimitOptions{Memory: 1 << 30, CPU: 150, For: 5 * time.Minute}); o.Limits != want {
		t.Errorf("Limits %+v, want %+v", o.Limits, want)
	}
	if _, err := supervisor.New(o); err != nil {
		t.Errorf("the supervisor refuses the options: %v", err)
	}
}
