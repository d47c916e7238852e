package wrapper

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// childYAML returns a configuration running fake-child helper with args,
// followed by extra YAML (restart/stop/log sections).
func childYAML(t *testing.T, helper string, args []string, extra string) string {
	t.Helper()
	path, argv, _ := fakechild.Command(t, helper, args...)
	quoted, err := json.Marshal(argv) // a JSON array is a YAML flow sequence
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("name: svc\nexecutable: %q\narguments: %s\nenv:\n  %s: %s\n  APP_HOME: ${BASE}/app\n%s",
		path, quoted, fakechild.EnvVar, helper, extra)
}

// readLog returns the content of dir/logs/name ("" when missing).
func readLog(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "logs", name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		helper string
		args   []string
		extra  string
		code   int
		inLog  string // expected in svc.wrapper.log
	}{
		{"success is not restarted by on-failure", "exit", []string{"0"}, "", ExitOK, "code=0"},
		{"policy never after failure", "exit", []string{"5"}, "restart: {policy: never}\n", ExitChildFailed, "will not be restarted"},
		{"fatal exit code", "exit", []string{"7"}, "restart: {fatal_exit_codes: [7], delay: 0s}\n", ExitChildFailed, "code=7"},
		{"extra success code", "exit", []string{"9"}, "restart: {success_exit_codes: [0, 9]}\n", ExitOK, "code=9"},
		{"circuit breaker", "exit", []string{"1"}, "restart: {delay: 0s, max_failures: 3}\n", ExitGaveUp, "giving up"},
		// success_exit_codes: [] makes every exit a failure, 0 included.
		{"no success code", "exit", []string{"0"}, "restart: {policy: always, success_exit_codes: [], delay: 0s, max_failures: 2}\n", ExitGaveUp, "giving up"},
		{"on_exit stop under always", "exit", []string{"75"}, "restart: {policy: always, on_exit: {75: stop}}\n", ExitOK, "action stop"},
		{"on_exit fatal of a success code", "exit", []string{"0"}, "restart: {on_exit: {0: fatal}}\n", ExitChildFailed, "will not be restarted"},
		// A new user's server that stops at the end of its stdin: with the
		// default stdin (the null device) it exits 0 at once, a success.
		{"a server that stops at the end of its stdin", "serve", []string{"eof"}, "", ExitOK, "code=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "svc.yaml", childYAML(t, tt.helper, tt.args, tt.extra))
			code, _, stderr := runMain(t, "run", "--config", cfg)
			if code != tt.code {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if log := readLog(t, dir, "svc.wrapper.log"); !strings.Contains(log, tt.inLog) {
				t.Errorf("wrapper log lacks %q:\n%s", tt.inLog, log)
			}
			if !strings.Contains(stderr, tt.inLog) {
				t.Errorf("console (stderr) lacks %q:\n%s", tt.inLog, stderr)
			}
		})
	}
}

func TestRunCircuitBreakerCountsStarts(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "echo", []string{"attempt"},
		"restart: {policy: always, delay: 0s, max_failures: 3}\nsuccess_exit_codes: []\n"))
	// success_exit_codes at top level is a mistake: validate it is refused.
	if code, _, _ := runMain(t, "run", "--config", cfg); code != ExitUsage {
		t.Fatalf("misplaced key: exit %d, want %d", code, ExitUsage)
	}
	cfg = writeFile(t, dir, "svc.yaml", childYAML(t, "echo", []string{"attempt"},
		"restart: {delay: 0s, max_failures: 3, success_exit_codes: [1]}\n"))
	code, _, stderr := runMain(t, "run", "--config", cfg)
	if code != ExitGaveUp {
		t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, ExitGaveUp, stderr)
	}
	if n := strings.Count(readLog(t, dir, "svc.out.log"), "attempt\n"); n != 3 {
		t.Errorf("child ran %d times, want 3", n)
	}
}

func TestRunChildEnvironmentAndDirectory(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "env", nil, "restart: {policy: never}\n"))
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	out := readLog(t, dir, "svc.out.log")
	for _, want := range []string{
		"WRAPPER_SERVICE_NAME=svc\n",
		"WRAPPER_CONFIG=" + cfg + "\n",
		"APP_HOME=" + dir + "/app\n", // plain text expansion, no path cleaning
	} {
		if !strings.Contains(out, want) {
			t.Errorf("child environment lacks %q", want)
		}
	}
	exe, _ := executable()
	if !strings.Contains(out, "WRAPPER_EXE="+exe+"\n") {
		t.Errorf("child environment lacks WRAPPER_EXE=%s", exe)
	}

	// The working directory defaults to the config's folder, whatever the
	// wrapper's own (a Windows service starts in System32).
	cfg = writeFile(t, dir, "svc.yaml", childYAML(t, "cwd", nil, "restart: {policy: never}\n"))
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	if out := readLog(t, dir, "svc.out.log"); !strings.HasSuffix(out, dir+"\n") {
		t.Errorf("child cwd: log ends %q, want %q", tail(out), dir)
	}
}

func TestRunMergedAndSeparateStreams(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "stderr", []string{"e1", "e2"}, "restart: {policy: never}\n"))
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	if got := readLog(t, dir, "svc.err.log"); got != "e1\ne2\n" {
		t.Errorf("err log = %q, want %q", got, "e1\ne2\n")
	}
	if got := readLog(t, dir, "svc.out.log"); got != "" {
		t.Errorf("out log = %q, want empty", got)
	}
	merged := "restart: {policy: never}\nlog: {stdout: all.log, stderr: all.log}\n"
	cfg = writeFile(t, dir, "svc.yaml", childYAML(t, "stderr", []string{"m1"}, merged))
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	if got := readLog(t, dir, "all.log"); got != "m1\n" {
		t.Errorf("merged log = %q, want %q", got, "m1\n")
	}
}

// tail returns the last 80 bytes of s, for messages.
func tail(s string) string {
	if len(s) > 80 {
		return s[len(s)-80:]
	}
	return s
}

// TestHostStartArgs: the host appends its start arguments (the Windows
// service's, with pass_start_args) after the configured arguments, on
// every start of the child; the configuration itself is left alone, so a
// reload, which builds the options again from a new file, appends them
// again.
func TestHostStartArgs(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "svc.yaml", childYAML(t, "echo", []string{"configured"},
		"restart: {delay: 0s, max_failures: 2, success_exit_codes: [1]}\n"))
	cfg, code := loadConfig(path, io.Discard)
	if cfg == nil {
		t.Fatalf("load: exit %d", code)
	}
	configured := slices.Clone(cfg.Arguments)
	if code := runHost(context.Background(), cfg, hostOptions{startArgs: []string{"a", "b c"}}); code != ExitGaveUp {
		t.Fatalf("runHost = %d, want %d (two runs of the child)", code, ExitGaveUp)
	}
	if got, want := readLog(t, dir, "svc.out.log"), strings.Repeat("configured\na\nb c\n", 2); got != want {
		t.Errorf("child output %q, want %q: the start arguments after the configured ones, on each start", got, want)
	}
	if !slices.Equal(cfg.Arguments, configured) {
		t.Errorf("the configuration's arguments became %q", cfg.Arguments)
	}
}

// TestHostGivesMemoryBack: once the child has run for settleAfter, the host
// gives the memory back (internal/memtrim proves the effect), and again
// after a control request.
func TestHostGivesMemoryBack(t *testing.T) {
	released := make(chan struct{}, 8)
	defer func(d time.Duration, f func() error) { settleAfter, releaseMemory = d, f }(settleAfter, releaseMemory)
	settleAfter = time.Millisecond
	releaseMemory = func() error { released <- struct{}{}; return nil }

	dir := t.TempDir()
	cfg, code := loadConfig(writeFile(t, dir, "svc.yaml", childYAML(t, "serve", nil, "stop: {timeout: 1s}\n")), io.Discard)
	if cfg == nil {
		t.Fatalf("load: exit %d", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- runHost(ctx, cfg, hostOptions{}) }()
	defer func() { cancel(); <-done }()
	select {
	case <-released:
	case code := <-done:
		t.Fatalf("host exited with %d before giving memory back", code)
	case <-time.After(time.Minute):
		t.Fatal("no memory given back a minute after the start")
	}
	if _, err := control.Ask(cfg.Name, control.Expect{}, "status"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-released:
	case code := <-done:
		t.Fatalf("host exited with %d before giving memory back after a request", code)
	case <-time.After(time.Minute):
		t.Fatal("no memory given back a minute after a request")
	}
}

// TestReserveProcsRaisesOnlyFewerProcs: a host runs Go code on at least
// minProcs processors, and on more where the runtime chose more.
func TestReserveProcsRaisesOnlyFewerProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tt := range []struct{ before, want int }{{1, minProcs}, {minProcs - 1, minProcs}, {minProcs + 5, minProcs + 5}} {
		runtime.GOMAXPROCS(tt.before)
		reserveProcs()
		if got := runtime.GOMAXPROCS(0); got != tt.want {
			t.Errorf("GOMAXPROCS %d: %d after reserveProcs, want %d", tt.before, got, tt.want)
		}
	}
}
