package wrapper

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/systemd"
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
	tool := systemdAnalyze(t)
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
		path := writeFile(t, dir, systemd.UnitName(cfg.Name), unit)
		out, err := exec.Command(tool, "verify", "--man=no", path).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s\nunit:\n%s", filepath.Base(file), err, out, unit)
		}
	}
}

// systemdAnalyze returns the path of systemd-analyze. Without it the test
// skips, unless WRAPPER_REQUIRE_SYSTEMD is set (CI), when it fails.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("WRAPPER_REQUIRE_SYSTEMD") != "" {
			t.Fatal("systemd-analyze not found and WRAPPER_REQUIRE_SYSTEMD is set: run .ci/systemd/setup.sh")
		}
		t.Skip("systemd-analyze not found: the units are not checked by systemd (install it: .ci/systemd/setup.sh)")
	}
	return tool
}

// TestUnitsVerifyOddPaths puts every printable ASCII character, a few
// others and bytes that are not UTF-8 into the directory that holds the
// wrapper, the YAML, the program's folder and the log directory. Each unit
// install writes must load in systemd without a complaint; the characters
// it refuses must be exactly those systemd cannot take.
func TestUnitsVerifyOddPaths(t *testing.T) {
	tool := systemdAnalyze(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var odd []string
	for c := rune(0x20); c < 0x7f; c++ {
		if c != '/' {
			odd = append(odd, string(c))
		}
	}
	odd = append(odd, "é", "\u00a0", "\u2028", "日", "\xff", "\xc3(")
	refused := map[string]bool{`"`: true, `\`: true, "'": true, "\xff": true, "\xc3(": true}
	root, units := t.TempDir(), t.TempDir()
	var written []string
	for i, c := range odd {
		dir := filepath.Join(root, fmt.Sprintf("%d-a%sb", i, c))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		wrapper := filepath.Join(dir, "wrapper")
		if err := os.Symlink(exe, wrapper); err != nil {
			t.Fatal(err)
		}
		path := writeFile(t, dir, "svc.yaml", fmt.Sprintf("name: c%d\nexecutable: /bin/sh\nservice: {user: root}\n", i))
		cfg, err := config.Load(path, config.Options{})
		if err != nil {
			t.Fatalf("%q: %v", c, err)
		}
		unit, err := unitFile(cfg, wrapper)
		if (err != nil) != refused[c] {
			t.Errorf("character %q: install error %v, want refused %v", c, err, refused[c])
		}
		if err == nil {
			written = append(written, writeFile(t, units, systemd.UnitName(cfg.Name), unit))
		}
	}
	out, err := exec.Command(tool, append([]string{"verify", "--man=no"}, written...)...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestUnitSecurityScore: systemd's own assessment of the unit for a plain
// YAML (a service account, no other settings) is at most 5.0 ("OK"), and
// so is a service that runs as root. `systemd-analyze security` rates
// every unit from 0 (locked down) to 10 (fully exposed).
func TestUnitSecurityScore(t *testing.T) {
	tool := systemdAnalyze(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"app", "root"} {
		dir := t.TempDir()
		cfg, err := config.Load(writeFile(t, dir, "plain.yaml", "executable: /bin/sh\nservice:\n  user: "+user+"\n"),
			config.Options{DefaultName: "plain"})
		if err != nil {
			t.Fatal(err)
		}
		unit, err := unitFile(cfg, exe)
		if err != nil {
			t.Fatal(err)
		}
		path := writeFile(t, dir, "plain.service", unit)
		out, _ := exec.Command(tool, "security", "--offline=true", path).CombinedOutput()
		m := regexp.MustCompile(`Overall exposure level for plain\.service: (\d+\.\d)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("user %s: no exposure level in:\n%s", user, out)
		}
		if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 5.0 {
			t.Errorf("user %s: exposure %.1f, want at most 5.0:\n%s", user, score, out)
		}
	}
}

// TestSandboxSwitchesAgree: config accepts exactly the switches the unit
// writer knows, and docs/linux-service.md explains each.
func TestSandboxSwitchesAgree(t *testing.T) {
	if got, want := config.SandboxSwitches, systemd.SandboxSwitches(); !slices.Equal(got, want) {
		t.Errorf("config.SandboxSwitches = %q, the unit writer knows %q", got, want)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "linux-service.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range systemd.SandboxSwitches() {
		if !strings.Contains(string(doc), "| `"+s+"` |") {
			t.Errorf("docs/linux-service.md has no table row for service.sandbox.%s", s)
		}
	}
}

// TestUnitStopBudget: TimeoutStopSec= covers the pre_stop and post_stop
// hooks as well as stop.timeout or the stop steps' timeouts, and a budget that would overflow it is
// refused instead of written as a value systemd ignores.
func TestUnitStopBudget(t *testing.T) {
	dir := t.TempDir()
	hooks := "hooks:\n  pre_stop: {command: [/bin/true], timeout: 60s}\n  post_stop: {command: [/bin/true], timeout: 60s}\n"
	tests := []struct {
		yaml, want string
		code       int
	}{
		{"stop: {timeout: 10s}\n" + hooks, "TimeoutStopSec=140s\n", ExitOK},
		{"stop: {timeout: 10s}\nhooks:\n  pre_start: {command: [/bin/true], timeout: 60s}\n", "TimeoutStopSec=20s\n", ExitOK},
		{"stop: {timeout: 10s, steps: [{signal: INT, timeout: 20s}, {ctrl_c: true}]}\n" + hooks, "TimeoutStopSec=160s\n", ExitOK},
		{"stop: {timeout: 2562047h47m10s}\n", "stop.timeout: too long", ExitUsage},
		{"stop: {timeout: 106751d}\n" + strings.ReplaceAll(hooks, "60s", "106751d"), "stop.timeout: too long", ExitUsage},
	}
	for _, tt := range tests {
		cfg := writeFile(t, dir, "svc.yaml", "executable: /bin/sh\nservice: {user: app}\n"+tt.yaml)
		code, stdout, stderr := runMain(t, "install", "--print", "--config", cfg)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("%s: code %d, want %d with %q\nstdout: %s\nstderr: %s", tt.yaml, code, tt.code, tt.want, stdout, stderr)
		}
	}
}
