//go:build unix

package systemd

import (
	"errors"
	"maps"
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
		{"unknown switch", func(c *Unit) { c.SandboxOff = []string{"private_network"} }, goldenExe, `service.sandbox: unknown switch "private_network"`},
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

// TestUnitSandbox: every switch is on by default and each one set to false
// removes its directives and nothing else; the bounding set is emptied for
// a service account without capabilities but left to root.
func TestUnitSandbox(t *testing.T) {
	spec := Unit{Name: "app", Config: "/srv/app/app.yaml", Wrapper: goldenExe, Executable: "/srv/app/app",
		WorkingDir: "/srv/app", LogDir: "/srv/app/logs", User: "app", StopTimeout: time.Second}
	full, err := spec.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sandboxSwitches {
		for _, d := range s.directives {
			if !strings.Contains(full, "\n"+d+"\n") {
				t.Errorf("default unit lacks %s", d)
			}
		}
		spec.SandboxOff = []string{s.name}
		relaxed, err := spec.Render()
		if err != nil {
			t.Fatal(err)
		}
		_, all := parseUnit(full)
		_, got := parseUnit(relaxed)
		for _, d := range s.directives {
			key, _, _ := strings.Cut(d, "=")
			delete(all, "Service."+key)
		}
		if !maps.Equal(all, got) {
			t.Errorf("%s: false changed more than its directives %q:\n%s", s.name, s.directives, relaxed)
		}
	}
	if !strings.Contains(full, "\nCapabilityBoundingSet=\n") || !strings.Contains(full, "\nUMask=0027\n") {
		t.Errorf("a service account without capabilities needs an empty bounding set and UMask=0027:\n%s", full)
	}
	spec.User, spec.UMask, spec.SandboxOff = "root", "0077", nil
	root, err := spec.Render()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(root, "CapabilityBoundingSet") || !strings.Contains(root, "\nUMask=0077\n") {
		t.Errorf("root keeps its capabilities, and umask is the YAML's:\n%s", root)
	}
}

// TestUnitWarnings: what install warns about although it writes the unit.
func TestUnitWarnings(t *testing.T) {
	look := func(name string) (string, error) {
		switch name {
		case "python3":
			return "/usr/bin/python3", nil
		case "mytool":
			return "/home/me/bin/mytool", nil
		}
		return "", errors.New("not found")
	}
	base := Unit{Name: "app", Config: "/srv/app/app.yaml", Wrapper: goldenExe, Executable: "/srv/app/app",
		WorkingDir: "/srv/app", LogDir: "/srv/app/logs", User: "app"}
	tests := []struct {
		name   string
		change func(u *Unit)
		want   []string
	}{
		{"none", func(u *Unit) {}, nil},
		{"nobody", func(u *Unit) { u.User = "nobody" }, []string{"service.user: nobody is shared"}},
		{"logs under /tmp", func(u *Unit) { u.LogDir = "/tmp/app" }, []string{"log.dir: /tmp/app is under /tmp"}},
		{"program under /var/tmp", func(u *Unit) { u.Executable = "/var/tmp/x/app" }, []string{"executable: /var/tmp/x/app is under /tmp"}},
		{"/tmp with private_tmp off", func(u *Unit) { u.LogDir, u.SandboxOff = "/tmp/app", []string{"private_tmp"} }, nil},
		{"/tmpfoo is not /tmp", func(u *Unit) { u.LogDir = "/tmpfoo" }, nil},
		{"bare on systemd's PATH", func(u *Unit) { u.Executable = "python3" }, []string{"yours finds /usr/bin/python3; write that path"}},
		{"bare off systemd's PATH", func(u *Unit) { u.Executable = "mytool" }, []string{"yours finds /home/me/bin/mytool, which systemd will not find"}},
		{"bare not found", func(u *Unit) { u.Executable = "gone" }, []string{`executable: "gone" is looked up`}},
		{"devices but clock", func(u *Unit) { u.SandboxOff = []string{"private_devices"} }, []string{"set protect_clock: false as well"}},
		{"devices and clock", func(u *Unit) { u.SandboxOff = []string{"private_devices", "protect_clock"} }, nil},
	}
	for _, tt := range tests {
		u := base
		tt.change(&u)
		got := u.Warnings(look)
		if len(got) != len(tt.want) {
			t.Errorf("%s: warnings %q, want %d", tt.name, got, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: warning %q, want it to contain %q", tt.name, got[i], w)
			}
		}
	}
}

// TestUnitRuntimeDirectory: the control endpoint's directory is made by
// systemd for the unit's account, 0700, only when asked.
func TestUnitRuntimeDirectory(t *testing.T) {
	spec := Unit{Name: "app", Config: "/srv/app/app.yaml", Wrapper: goldenExe, Executable: "/srv/app/app",
		WorkingDir: "/srv/app", LogDir: "/srv/app/logs", User: "app", StopTimeout: time.Second}
	plain, err := spec.Render()
	if err != nil {
		t.Fatal(err)
	}
	spec.RuntimeDirectory = "wrapper/app"
	with, err := spec.Render()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain, "RuntimeDirectory") ||
		!strings.Contains(with, "\nRuntimeDirectory=wrapper/app\nRuntimeDirectoryMode=0700\n") {
		t.Errorf("without:\n%s\nwith:\n%s", plain, with)
	}
}

// TestUnitDelegatesOnlyWithoutTheBlockers: Delegate=yes is written only
// when the two sandbox settings that keep the wrapper from making child
// cgroups (a read-only hierarchy, no clone3) are off.
func TestUnitDelegatesOnlyWithoutTheBlockers(t *testing.T) {
	spec := Unit{Name: "app", Config: "/srv/app/app.yaml", Wrapper: goldenExe, Executable: "/srv/app/app",
		WorkingDir: "/srv/app", LogDir: "/srv/app/logs", User: "app", StopTimeout: time.Second}
	for _, tt := range []struct {
		off  []string
		want bool
	}{
		{nil, false},
		{[]string{"protect_control_groups"}, false},
		{[]string{"restrict_namespaces"}, false},
		{[]string{"protect_control_groups", "restrict_namespaces"}, true},
	} {
		spec.SandboxOff = tt.off
		unit, err := spec.Render()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(unit, "\nDelegate=yes\n"); got != tt.want {
			t.Errorf("sandbox off %v: Delegate=yes %v, want %v", tt.off, got, tt.want)
		}
	}
}
