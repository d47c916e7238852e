package scm

import (
	"strings"
	"testing"

	"golang.org/x/sys/windows/svc/mgr"
)

func TestDriftOf(t *testing.T) {
	want := mgr.Config{DisplayName: "My App", StartType: mgr.StartAutomatic, ServiceStartName: `NT SERVICE\app`}
	same := installedConfig{display: "My App", start: mgr.StartAutomatic, account: `nt service\app`, binary: `"C:\x\app.exe"`}
	if d := driftOf(same, want, `C:\x\app.exe`); len(d) != 0 {
		t.Errorf("no drift expected, got %q", d)
	}
	other := installedConfig{display: "Old", start: mgr.StartManual, account: "", binary: `C:\y\wrapper.exe`}
	d := strings.Join(driftOf(other, want, `C:\x\app.exe`), "\n")
	for _, w := range []string{`display name is "Old"`, "start type is 3", "account is LocalSystem", `runs C:\y\wrapper.exe`} {
		if !strings.Contains(d, w) {
			t.Errorf("drift lacks %q:\n%s", w, d)
		}
	}
}
