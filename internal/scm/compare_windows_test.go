package scm

import (
	"strings"
	"testing"

	"golang.org/x/sys/windows/svc/mgr"
)

// TestConfigChanges: what QueryServiceConfig reports against the wanted
// service, one row per setting; accounts, paths and dependencies compare
// without case, as Windows does.
func TestConfigChanges(t *testing.T) {
	want := Service{Name: "app", DisplayName: "App", StartMode: "manual", Account: "LocalService",
		Dependencies: []string{"RpcSs"}, Exe: `C:\w\wrapper.exe`, Args: []string{"--config", `C:\w\app.yaml`}}
	same := installedConfig{display: "App", start: mgr.StartManual, errorControl: mgr.ErrorNormal,
		account: `nt authority\localservice`, binary: `c:\w\wrapper.exe --config C:\w\app.yaml`, dependencies: []string{"rpcss"}}
	if d := configChanges(same, want); len(d) != 0 {
		t.Errorf("no change expected, got %q", d)
	}
	for _, tt := range []struct {
		change func(*installedConfig)
		want   string
	}{
		{func(c *installedConfig) { c.binary = `C:\w\wrapper.exe` }, `binary path is C:\w\wrapper.exe, want`},
		{func(c *installedConfig) { c.display = "Old" }, `display name is "Old", want "App"`},
		{func(c *installedConfig) { c.start = mgr.StartAutomatic }, "start type is 2, want 3"},
		{func(c *installedConfig) { c.errorControl = mgr.ErrorIgnore }, "error control is 0, want 1"},
		{func(c *installedConfig) { c.account = "LocalSystem" }, `account is LocalSystem, want NT AUTHORITY\LocalService`},
		{func(c *installedConfig) { c.dependencies = nil }, "dependencies is [], want [RpcSs]"},
	} {
		got := same
		tt.change(&got)
		if d := configChanges(got, want); len(d) != 1 || !strings.HasPrefix(d[0], tt.want) {
			t.Errorf("%+v: %q, want one change starting %q", got, d, tt.want)
		}
	}
}
