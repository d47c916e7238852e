//go:build unix

package systemd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSystemctl returns a Manager whose systemctl is a shell script that
// logs its arguments to dir/calls and answers is-active with the content
// of dir/state (exit 0 for "active", 3 otherwise, as systemctl does), and
// whose systemd runs when running is true.
func fakeSystemctl(t *testing.T, running bool) (Manager, string) {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
echo "$*" >> "` + dir + `/calls"
state=$(cat "` + dir + `/state" 2>/dev/null || echo inactive)
echo "$state"
[ "$state" = active ]
`
	if err := os.WriteFile(filepath.Join(dir, "systemctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if running {
		if err := os.Mkdir(filepath.Join(dir, "run"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return Manager{RunDir: filepath.Join(dir, "run"), Systemctl: filepath.Join(dir, "systemctl")}, dir
}

func TestActive(t *testing.T) {
	m, dir := fakeSystemctl(t, true)
	ctx := context.Background()
	err := m.Active(ctx, "postgresql")
	if err == nil || err.Error() != "unit postgresql is inactive" || errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("inactive unit: %v", err)
	}
	for state, want := range map[string]string{"failed": "unit postgresql is failed", "activating": "unit postgresql is activating", "active": ""} {
		if err := os.WriteFile(filepath.Join(dir, "state"), []byte(state+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := m.Active(ctx, "postgresql")
		if (want == "" && err != nil) || (want != "" && (err == nil || err.Error() != want)) {
			t.Errorf("state %s: %v, want %q", state, err, want)
		}
	}
	_ = m.Active(ctx, "--help") // after "--": a unit name, not an option
	b, err := os.ReadFile(filepath.Join(dir, "calls"))
	if calls := strings.Split(string(b), "\n"); err != nil || calls[0] != "is-active -- postgresql" || calls[4] != "is-active -- --help" {
		t.Errorf("systemctl calls %q (%v), want is-active -- NAME", b, err)
	}
}

// TestActiveWithoutSystemd: where systemd does not run, or systemctl is
// missing, the answer comes at once, says why, and wraps
// errors.ErrUnsupported, and systemctl is not run.
func TestActiveWithoutSystemd(t *testing.T) {
	m, dir := fakeSystemctl(t, false)
	err := m.Active(context.Background(), "db")
	if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "unit db: systemd is not running on this machine") {
		t.Fatalf("no systemd: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "calls")); !os.IsNotExist(err) {
		t.Error("systemctl was run")
	}
	m, _ = fakeSystemctl(t, true)
	m.Systemctl = filepath.Join(dir, "missing")
	if err := m.Active(context.Background(), "db"); !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("no systemctl: %v", err)
	}
}
