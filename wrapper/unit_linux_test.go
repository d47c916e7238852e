package wrapper

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/config"
)

var updateUnits = flag.Bool("update-units", false, "rewrite the .service files under testdata/systemd")

// goldenExe is the wrapper path the golden units name.
const goldenExe = "/usr/local/bin/wrapper"

// unitConfigs loads every testdata/systemd/*.yaml; it fails when there are
// fewer than the cases the golden test is meant to cover.
func unitConfigs(t *testing.T) map[string]*config.Config {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "systemd", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 7 {
		t.Fatalf("found %d configs in testdata/systemd, want at least 7", len(files))
	}
	cfgs := map[string]*config.Config{}
	for _, f := range files {
		cfg, err := config.Load(f, config.Options{DefaultName: "fallback", LookupEnv: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cfgs[f] = cfg
	}
	return cfgs
}

// TestUnitGolden pins the unit text for each configuration in
// testdata/systemd: user and group, capabilities, dependencies, paths
// under /home, manual and disabled start, root by request.
func TestUnitGolden(t *testing.T) {
	for file, cfg := range unitConfigs(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			unit, err := unitFile(cfg, goldenExe)
			if err != nil {
				t.Fatal(err)
			}
			got := []byte(strings.ReplaceAll(unit, cfg.BaseDir, "$BASE"))
			golden := strings.TrimSuffix(file, ".yaml") + ".service"
			if *updateUnits {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./wrapper -run TestUnitGolden -update-units to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("unit differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

// TestUnitsVerify has systemd itself parse every golden unit, and one whose
// paths hold a space, % and $: any complaint of systemd-analyze fails.
func TestUnitsVerify(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("WRAPPER_REQUIRE_SYSTEMD") != "" {
			t.Fatal("systemd-analyze not found and WRAPPER_REQUIRE_SYSTEMD is set: run .ci/systemd/setup.sh")
		}
		t.Skip("systemd-analyze not found: the units are not checked by systemd (install it: .ci/systemd/setup.sh)")
	}
	exe, err := os.Executable() // ExecStart= must name an existing program
	if err != nil {
		t.Fatal(err)
	}
	cfgs := unitConfigs(t)
	odd := filepath.Join(t.TempDir(), "odd dir %n $HOME")
	if err := os.Mkdir(odd, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, odd, "odd.yaml", "name: odd\nexecutable: /bin/sh\nservice: {user: root}\n")
	if cfgs[cfg], err = config.Load(cfg, config.Options{}); err != nil {
		t.Fatal(err)
	}
	oddExe := filepath.Join(odd, "wrap per")
	if err := os.Symlink(exe, oddExe); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for file, cfg := range cfgs {
		use := exe
		if cfg.Name == "odd" {
			use = oddExe
		}
		unit, err := unitFile(cfg, use)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		path := writeFile(t, dir, unitName(cfg.Name), unit)
		out, err := exec.Command(tool, "verify", "--man=no", path).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s\nunit:\n%s", filepath.Base(file), err, out, unit)
		}
	}
}

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
	base := func() *config.Config {
		return &config.Config{
			Name: "app", DisplayName: "app", File: "/srv/app/app.yaml", BaseDir: "/srv/app",
			Executable: "/srv/app/bin/app", WorkingDirectory: "/srv/app",
			Stop:    config.Stop{Timeout: 10 * time.Second},
			Log:     config.Log{Dir: "/srv/app/logs"},
			Service: config.Service{User: "app", StartMode: config.StartAuto, Recovery: []time.Duration{time.Second}},
		}
	}
	tests := []struct {
		name   string
		change func(c *config.Config)
		exe    string
		want   string
	}{
		{"no user", func(c *config.Config) { c.Service.User = "" }, goldenExe, "service.user: not set"},
		{"bad user", func(c *config.Config) { c.Service.User = "-rf" }, goldenExe, "service.user:"},
		{"bad group", func(c *config.Config) { c.Service.Group = "a:b" }, goldenExe, "service.group:"},
		{"user too long", func(c *config.Config) { c.Service.User = strings.Repeat("u", 256) }, goldenExe, "service.user:"},
		{"dependency too long", func(c *config.Config) { c.Service.Dependencies = []string{strings.Repeat("d", 248)} }, goldenExe, "service.dependencies[0]"},
		{"trailing backslash", func(c *config.Config) { c.Description = `C:\` }, goldenExe, "line continuation"},
		{"bad dependency", func(c *config.Config) { c.Service.Dependencies = []string{"a/b"} }, goldenExe, "service.dependencies[0]"},
		{"newline in a path", func(c *config.Config) { c.Log.Dir = "/srv/app/logs\nUser=root" }, goldenExe, "log.dir:"},
		{"quote in the exe", nil, `/opt/"x"/wrapper`, "the wrapper executable:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			if tt.change != nil {
				tt.change(c)
			}
			unit, err := unitFile(c, tt.exe)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q; unit:\n%s", err, tt.want, unit)
			}
		})
	}
	if _, err := unitFile(base(), goldenExe); err != nil {
		t.Fatalf("the base config must be accepted: %v", err)
	}
	longest := base()
	longest.Service.User = strings.Repeat("u", 255) + "$"
	longest.Service.Dependencies = []string{strings.Repeat("d", 247)} // 255 with ".service"
	if _, err := unitFile(longest, goldenExe); err != nil {
		t.Fatalf("names at the length limits must be accepted: %v", err)
	}
}

// TestUnitDrift: identical units have no drift; a changed or missing
// directive is reported by its key.
func TestUnitDrift(t *testing.T) {
	c := unitConfigs(t)
	var cfg *config.Config
	for _, x := range c {
		if x.Name == "billing" {
			cfg = x
		}
	}
	if cfg == nil {
		t.Fatal("testdata/systemd/user-group.yaml (billing) not found")
	}
	want, err := unitFile(cfg, goldenExe)
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
