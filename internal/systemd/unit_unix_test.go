//go:build unix

package systemd

import (
	"strings"
	"testing"
	"time"
)

// goldenExe is the wrapper path the test units name.
const goldenExe = "/usr/local/bin/wrapper"

// TestUnitQuoting checks the escapes each kind of value needs.
func TestUnitQuoting(t *testing.T) {
	command := func(s string) string { return quoteExec(s, false) }
	arg := func(s string) string { return quoteExec(s, true) }
	tests := []struct {
		fn       func(string) string
		in, want string
	}{
		{command, "/usr/bin/wrapper", "/usr/bin/wrapper"},
		{command, "/opt/my app/wrapper", `"/opt/my app/wrapper"`},
		{command, "/opt/100%/w", "/opt/100%%/w"},
		{command, "/opt/$HOME/w", "/opt/$HOME/w"}, // the command is never expanded
		{arg, "/opt/$HOME/w.yaml", "/opt/$$HOME/w.yaml"},
		{arg, "/opt/it's/w", `"/opt/it's/w"`},
		{arg, "/opt/a;b/w", `"/opt/a;b/w"`},
		{quotePath, "/srv/app/logs", "/srv/app/logs"},
		{quotePath, "/srv/my app/$x", `"/srv/my app/$x"`},
		{quotePath, "/srv/%i", "/srv/%%i"},
		{escapeSpecifiers, "100% sure", "100%% sure"},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestUnitRefuses checks the configurations install must not turn into a
// unit, each with a message naming the key.
func TestUnitRefuses(t *testing.T) {
	base := func() *Unit {
		return &Unit{
			Name: "app", DisplayName: "app", Config: "/srv/app/app.yaml", Wrapper: goldenExe,
			Executable: "/srv/app/bin/app", WorkingDir: "/srv/app", LogDir: "/srv/app/logs",
			StopTimeout: 10 * time.Second, User: "app", Recovery: []time.Duration{time.Second},
			NoRestartCodes: []int{2, 3, 4},
		}
	}
	tests := []struct {
		name   string
		change func(c *Unit)
		exe    string
		want   string
	}{
		{"no user", func(c *Unit) { c.User = "" }, goldenExe, "service.user: not set"},
		{"bad user", func(c *Unit) { c.User = "-rf" }, goldenExe, "service.user:"},
		{"bad group", func(c *Unit) { c.Group = "a:b" }, goldenExe, "service.group:"},
		{"user too long", func(c *Unit) { c.User = strings.Repeat("u", 256) }, goldenExe, "service.user:"},
		{"dependency too long", func(c *Unit) { c.Dependencies = []string{strings.Repeat("d", 248)} }, goldenExe, "service.dependencies[0]"},
		{"trailing backslash", func(c *Unit) { c.Description = `C:\` }, goldenExe, "line continuation"},
		{"bad dependency", func(c *Unit) { c.Dependencies = []string{"a/b"} }, goldenExe, "service.dependencies[0]"},
		{"newline in a path", func(c *Unit) { c.LogDir = "/srv/app/logs\nUser=root" }, goldenExe, "log.dir:"},
		{"quote in the exe", nil, `/opt/"x"/wrapper`, "the wrapper executable:"},
		{"apostrophe in the exe", nil, "/opt/it's/wrapper", "contains an apostrophe"},
		{"not UTF-8", func(c *Unit) { c.WorkingDir = "/srv/\xff" }, goldenExe, "working_directory: \"/srv/\\xff\" is not valid UTF-8"},
		{"stop budget overflows", func(c *Unit) { c.StopTimeout = MaxStopTimeout + 1 }, goldenExe, "stop.timeout: too long"},
		{"negative stop budget", func(c *Unit) { c.StopTimeout = -time.Second }, goldenExe, "stop.timeout: too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			if tt.change != nil {
				tt.change(c)
			}
			c.Wrapper = tt.exe
			unit, err := c.Render()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q; unit:\n%s", err, tt.want, unit)
			}
		})
	}
	if _, err := base().Render(); err != nil {
		t.Fatalf("the base config must be accepted: %v", err)
	}
	longest := base()
	longest.StopTimeout = MaxStopTimeout
	longest.Config = "/srv/it's/app.yaml" // an apostrophe only bothers ExecStart='s program
	longest.User = strings.Repeat("u", 255) + "$"
	longest.Dependencies = []string{strings.Repeat("d", 247)} // 255 with ".service"
	if _, err := longest.Render(); err != nil {
		t.Fatalf("names at the length limits must be accepted: %v", err)
	}
}

// TestUnitDrift: identical units have no drift; a changed or missing
// directive is reported by its key.
func TestUnitDrift(t *testing.T) {
	spec := Unit{Name: "billing", Config: "/srv/billing/billing.yaml", Wrapper: goldenExe,
		Executable: "/srv/billing/bin/billing", WorkingDir: "/srv/billing", LogDir: "/var/log/billing",
		User: "billing", Group: "billing", StopTimeout: 10 * time.Second}
	want, err := spec.Render()
	if err != nil {
		t.Fatal(err)
	}
	if d := unitDrift(want, want); len(d) != 0 {
		t.Errorf("drift of a unit with itself: %q", d)
	}
	edited := strings.Replace(want, "User=billing\n", "User=root\n", 1)
	edited = strings.Replace(edited, "NoNewPrivileges=yes\n", "", 1)
	d := unitDrift(edited, want)
	if len(d) != 2 || !strings.Contains(d[0]+d[1], `Service.User is "root", the YAML gives "billing"`) ||
		!strings.Contains(d[0]+d[1], `Service.NoNewPrivileges is "", the YAML gives "yes"`) {
		t.Errorf("drift = %q", d)
	}
}
