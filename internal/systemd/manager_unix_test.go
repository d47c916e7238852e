//go:build unix

package systemd

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestInstalledUnits: the units install wrote, with the YAML their first
// line names; not a unit someone else wrote, a masked unit (a link) or
// another file.
func TestInstalledUnits(t *testing.T) {
	dir := t.TempDir()
	h := Manager{UnitDir: filepath.Join(dir, "units")}
	if got, err := h.InstalledUnits(); err != nil || got != nil {
		t.Fatalf("no unit directory: %v, %v", got, err)
	}
	for _, name := range []string{"b-app", "a-app"} {
		unit, err := Unit{Name: name, Wrapper: "/usr/bin/wrapper", Config: "/etc/" + name + "/app.yaml", Executable: "/bin/true",
			WorkingDir: "/", LogDir: "/var/log/" + name, StopTimeout: 10 * time.Second, User: "app"}.Render()
		if err != nil {
			t.Fatal(err)
		}
		if err := h.WriteUnit(name, unit); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(h.UnitDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("nginx.service", "[Unit]\nDescription=not ours\n")
	write("notes.txt", UnitMarker+" from /x.yaml.\n")
	if err := os.Symlink("/dev/null", filepath.Join(h.UnitDir, "masked.service")); err != nil {
		t.Fatal(err)
	}
	got, err := h.InstalledUnits()
	want := []InstalledUnit{{"a-app", "/etc/a-app/app.yaml"}, {"b-app", "/etc/b-app/app.yaml"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("InstalledUnits() = %q, %v; want %q", got, err, want)
	}
}
