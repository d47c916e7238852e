package wrapper

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestListUnits: `wrapper list` shows the units install wrote, with
// systemctl is-active's state and their YAML, as a table and as JSON; a
// unit someone else wrote is not listed.
func TestListUnits(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	if code, stdout, _ := runMain(t, "list"); code != ExitOK || !strings.Contains(stdout, "no service runs a wrapper") {
		t.Fatalf("list with no units: exit %d\n%s", code, stdout)
	}
	name, _ := serviceAccount(t)
	dir := t.TempDir()
	cfg := serviceYAML(t, dir, "  user: "+name+"\n")
	if code, _, stderr := runMain(t, "install", "--config", cfg); code != ExitOK {
		t.Fatalf("install: exit %d\n%s", code, stderr)
	}
	writeFile(t, filepath.Join(f.dir, "units"), "other.service", "[Service]\nExecStart=/bin/true\n")
	writeFile(t, f.dir, "state", "active\n")
	code, stdout, stderr := runMain(t, "list")
	if code != ExitOK || !strings.Contains(stdout, "SERVICE") || strings.Contains(stdout, "other") || strings.Contains(stdout, "PROGRAM") {
		t.Fatalf("list: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if fields := strings.Fields(strings.Split(stdout, "\n")[1]); len(fields) != 3 || fields[0] != "svc" || fields[1] != "active" || fields[2] != cfg {
		t.Errorf("list row %q, want svc, active, %s", fields, cfg)
	}
	code, stdout, _ = runMain(t, "list", "--json")
	var rows []listedService
	if err := json.Unmarshal([]byte(stdout), &rows); code != ExitOK || err != nil {
		t.Fatalf("list --json: exit %d, %v\n%s", code, err, stdout)
	}
	if want := []listedService{{Name: "svc", State: "active", Config: cfg}}; len(rows) != 1 || rows[0] != want[0] {
		t.Errorf("list --json = %+v, want %+v", rows, want)
	}
	if calls := f.calls(); !slices.Contains(calls, "is-active_svc.service") {
		t.Errorf("systemctl calls %q lack is-active for the unit", calls)
	}
}
