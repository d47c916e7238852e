package wrapper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunWaitsForSystemdUnit: `wrapper run` with `wait_for: [{service:
// db}]` keeps asking systemd (a fake systemctl answering from a file)
// while the unit is inactive, starts no child meanwhile, and starts it
// once the unit is active.
func TestRunWaitsForSystemdUnit(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "echo", []string{"started"},
		"restart: {policy: never}\nwait_for:\n  - service: db\n    timeout: 1h\n"))
	wait := runAsync(t, "run", "--config", cfg)
	checks := func() int {
		b, _ := os.ReadFile(filepath.Join(f.dir, "calls"))
		return strings.Count(string(b), "is-active -- db\n")
	}
	waitFor(t, "two checks of unit db", func() bool { return checks() >= 2 })
	if log := readLog(t, dir, "svc.wrapper.log"); !strings.Contains(log, `msg=waiting service=svc for="service db"`) {
		t.Errorf("wrapper log does not say what it waits for:\n%s", log)
	}
	if out := readLog(t, dir, "svc.out.log"); out != "" {
		t.Fatalf("the child ran while unit db was inactive: %q", out)
	}
	writeFile(t, f.dir, "state", "active\n")
	if code, stderr := wait(); code != ExitOK {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitOK, stderr)
	}
	if out := readLog(t, dir, "svc.out.log"); out != "started\n" {
		t.Fatalf("child output %q, want started", out)
	}
}

// TestRunWaitForUnitWithoutSystemd: where systemd does not run the
// condition cannot be checked: the wrapper says why and exits 3 at once,
// without waiting for the condition's timeout (an hour) and without
// starting the child.
func TestRunWaitForUnitWithoutSystemd(t *testing.T) {
	newFakeSystemd(t, false, 0)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "echo", []string{"started"},
		"wait_for:\n  - service: db\n    timeout: 1h\n"))
	code, stderr := runAsync(t, "run", "--config", cfg)()
	if code != ExitChildFailed {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitChildFailed, stderr)
	}
	if want := "wait for service db: unit db: systemd is not running on this machine"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if out := readLog(t, dir, "svc.out.log"); out != "" {
		t.Errorf("the child ran: %q", out)
	}
}
