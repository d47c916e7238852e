package wrapper

import (
	"encoding/json"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/systemd"
)

// fakeSystemd points the service commands at a temporary unit directory and
// a fake systemctl, a shell script that logs its arguments, prints the
// content of dir/state for is-active and of dir/mainpid for show (the
// MainPID), keeps enable and disable as dir/enabled-UNIT for is-enabled,
// fails start/restart when dir/fail exists and any VERB when
// dir/fail-VERB does. running decides whether systemd seems to be the init
// system; euid is the effective user id the commands see.
type fakeSystemd struct {
	dir string
	t   *testing.T
}

func newFakeSystemd(t *testing.T, running bool, euid int) *fakeSystemd {
	t.Helper()
	f := &fakeSystemd{dir: t.TempDir(), t: t}
	script := `#!/bin/sh
echo "$*" >> "` + f.dir + `/calls"
for last; do :; done
if [ -e "` + f.dir + `/fail-$1" ]; then echo "fake systemctl: $1 failed" >&2; exit 1; fi
case "$1" in
is-active) cat "` + f.dir + `/state" 2>/dev/null || echo inactive; exit 3 ;;
is-enabled) if [ -e "` + f.dir + `/enabled-$last" ]; then echo enabled; else echo disabled; exit 1; fi ;;
enable) touch "` + f.dir + `/enabled-$last" ;;
disable) rm -f "` + f.dir + `/enabled-$last" ;;
show) cat "` + f.dir + `/mainpid" 2>/dev/null || echo 0 ;;
start|restart) if [ -e "` + f.dir + `/fail" ]; then echo "Job for $2 failed." >&2; exit 1; fi ;;
esac
`
	writeFile(t, f.dir, "systemctl", script)
	if err := os.Chmod(filepath.Join(f.dir, "systemctl"), 0o755); err != nil {
		t.Fatal(err)
	}
	if running {
		if err := os.Mkdir(filepath.Join(f.dir, "run"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := systemdManager
	systemdManager = systemd.Manager{
		UnitDir:   filepath.Join(f.dir, "units"),
		RunDir:    filepath.Join(f.dir, "run"),
		Systemctl: filepath.Join(f.dir, "systemctl"),
		Euid:      func() int { return euid },
	}
	t.Cleanup(func() { systemdManager = old })
	return f
}

// calls returns the systemctl invocations so far and forgets them.
func (f *fakeSystemd) calls() []string {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, "calls"))
	if err != nil && !os.IsNotExist(err) {
		f.t.Fatal(err)
	}
	os.Remove(filepath.Join(f.dir, "calls"))
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(b)), " ", "_"))
}

// serviceAccount returns an account the test may hand files to: nobody
// when running as root (so ownership really changes), else oneself.
func serviceAccount(t *testing.T) (string, int) {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if nobody, err := user.Lookup("nobody"); err == nil {
			u = nobody
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	return u.Username, uid
}

// serviceYAML writes a service configuration into dir with extra service
// keys.
func serviceYAML(t *testing.T, dir, service string) string {
	t.Helper()
	return writeFile(t, dir, "svc.yaml", "name: svc\nexecutable: /bin/sh\nservice:\n"+service)
}

func ownerUID(t *testing.T, path string) int {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Sys().(*syscall.Stat_t).Uid)
}

// TestInstallLifecycle installs, re-installs unchanged, updates to manual
// start and uninstalls, checking the unit file, the log directory and every
// systemctl call.
func TestInstallLifecycle(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	name, uid := serviceAccount(t)
	dir := t.TempDir()
	cfg := serviceYAML(t, dir, "  user: "+name+"\n")
	code, stdout, stderr := runMain(t, "install", "--config", cfg)
	if code != ExitOK || !strings.Contains(stdout, "service svc installed") || !strings.Contains(stdout, "enabled at boot") {
		t.Fatalf("install: code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	checkCalls(t, f, "daemon-reload", "enable_--quiet_svc.service") // installed: nothing to restart
	unit, err := os.ReadFile(systemdManager.UnitPath("svc"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(unit), systemd.UnitMarker) || !strings.Contains(string(unit), "User="+name+"\n") ||
		!strings.Contains(string(unit), " run --config "+cfg+"\n") {
		t.Errorf("unit file:\n%s", unit)
	}
	if got := ownerUID(t, filepath.Join(dir, "logs")); got != uid {
		t.Errorf("log directory owned by uid %d, want %d", got, uid)
	}
	code, stdout, _ = runMain(t, "install", "--config", cfg)
	if code != ExitOK || !strings.Contains(stdout, "service svc unchanged") {
		t.Errorf("second install: code %d, stdout %s", code, stdout)
	}
	checkCalls(t, f, "daemon-reload", "enable_--quiet_svc.service")
	writeFile(t, f.dir, "state", "active\n")
	// manual start alone leaves the unit as it is (it is systemctl disable);
	// a capability changes it.
	serviceYAML(t, dir, "  user: "+name+"\n  start_mode: manual\n  capabilities: [net_bind_service]\n")
	code, stdout, _ = runMain(t, "install", "--config", cfg)
	if code != ExitOK || !strings.Contains(stdout, "updated (it runs the old settings until: wrapper restart)") ||
		!strings.Contains(stdout, "not enabled") {
		t.Errorf("update: code %d, stdout %s", code, stdout)
	}
	checkCalls(t, f, "daemon-reload", "disable_--quiet_svc.service", "is-active_svc.service")
	code, stdout, stderr = runMain(t, "uninstall", "--config", cfg)
	if code != ExitOK || !strings.Contains(stdout, "uninstalled") {
		t.Fatalf("uninstall: code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	checkCalls(t, f, "disable_--now_--quiet_svc.service", "daemon-reload", "reset-failed_svc.service")
	if _, err := os.Stat(systemdManager.UnitPath("svc")); !os.IsNotExist(err) {
		t.Errorf("unit still there after uninstall: %v", err)
	}
	if code, _, stderr = runMain(t, "uninstall", "--config", cfg); code != ExitNotRunning || !strings.Contains(stderr, "not installed") {
		t.Errorf("second uninstall: code %d, stderr %s", code, stderr)
	}
}

func checkCalls(t *testing.T, f *fakeSystemd, want ...string) {
	t.Helper()
	if got := f.calls(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("systemctl calls %q, want %q", got, want)
	}
}

// TestManageRefusals: each way a command cannot proceed has its message
// and documented exit code, and calls no systemctl.
func TestManageRefusals(t *testing.T) {
	name, _ := serviceAccount(t)
	tests := []struct {
		name    string
		running bool
		euid    int
		service string
		args    []string
		code    int
		stderr  string
	}{
		{"install without systemd", false, 0, "  user: " + name + "\n", []string{"install"}, ExitNoServiceManager, "systemd is not running on this machine"},
		{"start without systemd", false, 0, "  user: " + name + "\n", []string{"start"}, ExitNoServiceManager, "wrapper run --config"},
		{"install as a user", true, 1000, "  user: " + name + "\n", []string{"install"}, ExitNotAdmin, "must run as root"},
		{"stop as a user", true, 1000, "  user: " + name + "\n", []string{"stop"}, ExitNotAdmin, "must run as root"},
		{"no service.user", true, 0, "  start_mode: auto\n", []string{"install"}, ExitUsage, "service.user: not set"},
		{"unknown user", true, 0, "  user: no-such-user-wrapper-test\n", []string{"install"}, ExitUsage, `no user "no-such-user-wrapper-test"`},
		{"start not installed", true, 0, "  user: " + name + "\n", []string{"start"}, ExitNotRunning, "not installed"},
		{"restart not installed", true, 0, "  user: " + name + "\n", []string{"restart"}, ExitNotRunning, "wrapper install writes it"},
		{"print and unit-only", true, 0, "  user: " + name + "\n", []string{"install", "--print", "--unit-only"}, ExitUsage, "exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSystemd(t, tt.running, tt.euid)
			cfg := serviceYAML(t, t.TempDir(), tt.service)
			code, _, stderr := runMain(t, append(tt.args, "--config", cfg)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("code %d, want %d; stderr %q, want it to contain %q", code, tt.code, stderr, tt.stderr)
			}
			checkCalls(t, f)
		})
	}
}

// TestInstallWithoutSystemd: --print needs neither root nor systemd;
// --unit-only writes the unit without calling systemctl.
func TestInstallWithoutSystemd(t *testing.T) {
	f := newFakeSystemd(t, false, 1000)
	name, _ := serviceAccount(t)
	cfg := serviceYAML(t, t.TempDir(), "  user: "+name+"\n")
	code, stdout, stderr := runMain(t, "install", "--config", cfg, "--print")
	if code != ExitOK || !strings.HasPrefix(stdout, systemd.UnitMarker) || !strings.Contains(stdout, "[Install]") {
		t.Fatalf("--print: code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if _, err := os.Stat(systemdManager.UnitDir); !os.IsNotExist(err) {
		t.Errorf("--print wrote into the unit directory: %v", err)
	}
	if code, _, stderr = runMain(t, "install", "--config", cfg, "--unit-only"); code != ExitNotAdmin {
		t.Errorf("--unit-only as a user: code %d, stderr %s", code, stderr)
	}
	systemdManager.Euid = func() int { return 0 }
	code, stdout, stderr = runMain(t, "install", "--config", cfg, "--unit-only")
	if code != ExitOK || !strings.Contains(stdout, "systemctl daemon-reload && systemctl enable svc.service") {
		t.Fatalf("--unit-only: code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if b, err := os.ReadFile(systemdManager.UnitPath("svc")); err != nil || !strings.Contains(stdout, "unit "+systemdManager.UnitPath("svc")) || string(b) == "" {
		t.Errorf("--unit-only left no unit: %v", err)
	}
	if code, _, _ := runMain(t, "uninstall", "--config", cfg, "--unit-only"); code != ExitOK {
		t.Errorf("uninstall --unit-only: code %d", code)
	}
	checkCalls(t, f)
}

// TestInstallKeepsForeignUnits: a unit of the same name that install did
// not write is neither replaced (without --force) nor deleted.
func TestInstallKeepsForeignUnits(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	name, _ := serviceAccount(t)
	cfg := serviceYAML(t, t.TempDir(), "  user: "+name+"\n")
	foreign := "[Service]\nExecStart=/usr/bin/svc\n"
	writeFile(t, mkdir(t, systemdManager.UnitDir), "svc.service", foreign)
	if code, _, stderr := runMain(t, "install", "--config", cfg); code != ExitError || !strings.Contains(stderr, "--force") {
		t.Errorf("install over a foreign unit: code %d, stderr %s", code, stderr)
	}
	if code, _, stderr := runMain(t, "uninstall", "--config", cfg); code != ExitError || !strings.Contains(stderr, "remove it yourself") {
		t.Errorf("uninstall of a foreign unit: code %d, stderr %s", code, stderr)
	}
	if b, _ := os.ReadFile(systemdManager.UnitPath("svc")); string(b) != foreign {
		t.Fatalf("the foreign unit changed:\n%s", b)
	}
	checkCalls(t, f)
	if code, _, stderr := runMain(t, "install", "--config", cfg, "--force"); code != ExitOK {
		t.Errorf("install --force: code %d, stderr %s", code, stderr)
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestStartStopRestart: each calls systemctl with its verb and reports a
// failed job with where to look.
func TestStartStopRestart(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	name, _ := serviceAccount(t)
	cfg := serviceYAML(t, t.TempDir(), "  user: "+name+"\n")
	if code, _, stderr := runMain(t, "install", "--config", cfg); code != ExitOK {
		t.Fatalf("install: %d %s", code, stderr)
	}
	f.calls()
	for _, verb := range []string{"start", "stop", "restart"} {
		if code, stdout, stderr := runMain(t, verb, "--config", cfg); code != ExitOK || !strings.Contains(stdout, "service svc ") {
			t.Errorf("%s: code %d, stdout %s, stderr %s", verb, code, stdout, stderr)
		}
		checkCalls(t, f, verb+"_svc.service")
	}
	writeFile(t, f.dir, "fail", "")
	code, _, stderr := runMain(t, "start", "--config", cfg)
	if code != ExitError || !strings.Contains(stderr, "Job for svc.service failed.") || !strings.Contains(stderr, "journalctl -u svc") {
		t.Errorf("failed start: code %d, stderr %s", code, stderr)
	}
}

// TestStatusShowsSystemd: `wrapper status` reports systemctl is-active and
// a unit that no longer matches the YAML.
func TestStatusShowsSystemd(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	name, _ := serviceAccount(t)
	cfg := serviceYAML(t, t.TempDir(), "  user: "+name+"\n")
	state := func() statusReport {
		t.Helper()
		var rep statusReport
		_, stdout, _ := runMain(t, "status", "--config", cfg, "--json")
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("status --json: %v\n%s", err, stdout)
		}
		return rep
	}
	if rep := state(); rep.ServiceState != "not installed" {
		t.Errorf("before install: %q", rep.ServiceState)
	}
	if code, _, stderr := runMain(t, "install", "--config", cfg); code != ExitOK {
		t.Fatalf("install: %d %s", code, stderr)
	}
	writeFile(t, f.dir, "state", "failed\n")
	if rep := state(); rep.ServiceState != "failed" || len(rep.Drift) != 0 {
		t.Errorf("installed: state %q, drift %q", rep.ServiceState, rep.Drift)
	}
	serviceYAML(t, filepath.Dir(cfg), "  user: "+name+"\n  capabilities: [CAP_NET_BIND_SERVICE]\n")
	_, stdout, _ := runMain(t, "status", "--config", cfg)
	if !strings.Contains(stdout, "systemd:") || !strings.Contains(stdout, "Service.AmbientCapabilities") {
		t.Errorf("status after a YAML change:\n%s", stdout)
	}
	os.Remove(systemdManager.RunDir)
	if rep := state(); !strings.Contains(rep.ServiceState, "systemd is not running") {
		t.Errorf("without systemd: %q", rep.ServiceState)
	}
}

// TestInstallHandsOverLogs: files an earlier `sudo wrapper run` left in the
// log directory become the service account's, but a log directory that
// existed keeps its owner (it may be shared). Needs root to chown.
func TestInstallHandsOverLogs(t *testing.T) {
	name, uid := serviceAccount(t)
	if os.Geteuid() != 0 || uid == 0 {
		t.Skip("needs root and a user nobody to hand files over")
	}
	newFakeSystemd(t, true, 0)
	dir := t.TempDir()
	logs := mkdir(t, filepath.Join(dir, "logs"))
	old := []string{
		writeFile(t, logs, "svc.out.log", "x\n"),
		writeFile(t, logs, "svc.out-2024-01-02T03-04-05.000.log.gz", "x"),
		writeFile(t, logs, "svc.wrapper.log", "x\n"),
		writeFile(t, logs, "svc.status.json", "{}"),
	}
	other := writeFile(t, logs, "other.log", "x\n")
	cfg := serviceYAML(t, dir, "  user: "+name+"\n")
	code, _, stderr := runMain(t, "install", "--config", cfg)
	if code != ExitOK || !strings.Contains(stderr, "is not writable by "+name) {
		t.Fatalf("install: code %d, stderr %s (want a warning about the root-owned log directory)", code, stderr)
	}
	for _, f := range old {
		if got := ownerUID(t, f); got != uid {
			t.Errorf("%s owned by uid %d, want %d", filepath.Base(f), got, uid)
		}
	}
	if ownerUID(t, logs) != 0 || ownerUID(t, other) != 0 {
		t.Errorf("install took over the existing log directory or a foreign file")
	}
}

// TestLinuxHelp: the top-level help lists the service commands, and each
// has its own flags.
func TestLinuxHelp(t *testing.T) {
	_, stdout, _ := runMain(t, "help")
	for _, c := range []string{"install", "uninstall", "start", "stop", "restart"} {
		if !strings.Contains(stdout, "\n  "+c+" ") {
			t.Errorf("help does not list %s:\n%s", c, stdout)
		}
	}
	if !strings.Contains(stdout, "7  no service manager") {
		t.Errorf("help does not document exit code 7:\n%s", stdout)
	}
	if code, stdout, _ := runMain(t, "install", "--help"); code != ExitOK ||
		!strings.Contains(stdout, "-unit-only") || !strings.Contains(stdout, "-print") || !strings.Contains(stdout, "-force") {
		t.Errorf("install --help: code %d\n%s", code, stdout)
	}
}
