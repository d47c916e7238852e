package wrapper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// csvDeploy is a folder with a CSV and a YAML per service in a subfolder,
// as examples/deploy.ps1 copies them.
type csvDeploy struct {
	t    *testing.T
	dir  string
	user string
}

func newCSVDeploy(t *testing.T) *csvDeploy {
	t.Helper()
	user, _ := serviceAccount(t)
	return &csvDeploy{t: t, dir: t.TempDir(), user: user}
}

// yaml writes <name>/<name>.yaml for service name with extra service keys
// and returns its path relative to the CSV.
func (d *csvDeploy) yaml(name, service string) string {
	d.t.Helper()
	sub := mkdir(d.t, filepath.Join(d.dir, name))
	writeFile(d.t, sub, name+".yaml", "name: "+name+"\nexecutable: /bin/sh\nservice:\n  user: "+d.user+"\n"+service)
	return name + "/" + name + ".yaml"
}

// csv writes services.csv and returns its path.
func (d *csvDeploy) csv(content string) string {
	d.t.Helper()
	return writeFile(d.t, d.dir, "services.csv", content)
}

func (d *csvDeploy) install(wantCode int, wantStdout string) string {
	d.t.Helper()
	code, stdout, stderr := runMain(d.t, "install", "--csv", filepath.Join(d.dir, "services.csv"))
	if code != wantCode || stdout != wantStdout {
		d.t.Fatalf("install --csv: exit %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, wantCode, stdout, wantStdout, stderr)
	}
	return stderr
}

func readUnit(t *testing.T, name string) string {
	t.Helper()
	text, _, err := systemdManager.ReadUnit(name)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestInstallCSV: two services from one CSV, then the same CSV again
// (unchanged: no file written, no systemctl call but is-enabled), then a
// changed CSV and YAML (both updated), checking units and systemctl calls.
func TestInstallCSV(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	d := newCSVDeploy(t)
	d.csv("name,config,start_mode\napi," + d.yaml("api", "") + ",\nworker," + d.yaml("worker", "") + ",manual\n")
	d.install(ExitOK, "api: installed\nworker: installed\n")
	checkCalls(t, f, "daemon-reload", "enable_--quiet_api.service", "daemon-reload", "disable_--quiet_worker.service")
	if u := readUnit(t, "worker"); !strings.Contains(u, " run --config "+filepath.Join(d.dir, "worker", "worker.yaml")+"\n") {
		t.Errorf("worker's unit does not run its YAML:\n%s", u)
	}
	if _, err := os.Stat(filepath.Join(d.dir, "api", "logs")); err != nil {
		t.Errorf("api's log directory: %v", err)
	}

	before := readUnit(t, "api")
	d.install(ExitOK, "api: unchanged\nworker: unchanged\n")
	checkCalls(t, f, "is-enabled_api.service", "is-enabled_worker.service")

	// start_mode in the CSV overrides the YAML's; a capability changes the
	// unit; the running service is told it keeps the old settings.
	d.csv("name,config,start_mode\napi,api/api.yaml,manual\nworker,worker/worker.yaml,manual\n")
	d.yaml("worker", "  capabilities: [CAP_NET_BIND_SERVICE]\n")
	writeFile(t, f.dir, "state", "active\n")
	stderr := d.install(ExitOK, "api: updated\nworker: updated\n")
	checkCalls(t, f, "is-enabled_api.service", "disable_--quiet_api.service",
		"daemon-reload", "disable_--quiet_worker.service", "is-active_worker.service")
	if !strings.Contains(stderr, "worker: it runs the old settings until: wrapper restart") {
		t.Errorf("stderr: %s", stderr)
	}
	if readUnit(t, "api") != before || !strings.Contains(readUnit(t, "worker"), "AmbientCapabilities=CAP_NET_BIND_SERVICE") {
		t.Errorf("units after the update:\n%s\n%s", readUnit(t, "api"), readUnit(t, "worker"))
	}
	d.install(ExitOK, "api: unchanged\nworker: unchanged\n")
}

// TestInstallCSVRollsBack: a row whose systemctl step fails reports
// failed, leaves its service as it was (no unit for a new one, the old
// unit for an updated one, no log directory it made), and does not stop
// the other rows; the exit code is ExitError.
func TestInstallCSVRollsBack(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	d := newCSVDeploy(t)
	d.csv("name,config\napi," + d.yaml("api", "") + "\n")
	d.install(ExitOK, "api: installed\n")
	old := readUnit(t, "api")
	f.calls()

	// A new row whose enable fails: its unit is removed again.
	d.csv("name,config\ndb," + d.yaml("db", "") + "\napi,api/api.yaml\n")
	writeFile(t, f.dir, "fail-enable", "")
	stderr := d.install(ExitError, "db: failed: systemctl enable --quiet db.service: exit status 1\napi: unchanged\n")
	checkCalls(t, f, "daemon-reload", "enable_--quiet_db.service", "daemon-reload", "is-enabled_api.service")
	if _, err := os.Stat(systemdManager.UnitPath("db")); !os.IsNotExist(err) {
		t.Errorf("db's unit is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(d.dir, "db", "logs")); !os.IsNotExist(err) {
		t.Errorf("db's log directory is still there: %v", err)
	}
	if !strings.Contains(stderr, "1 of 2 services failed") || !strings.Contains(stderr, "fake systemctl: enable failed") {
		t.Errorf("stderr: %s", stderr)
	}
	os.Remove(filepath.Join(f.dir, "fail-enable"))

	// An update whose daemon-reload fails: the old unit is put back.
	d.csv("name,config\napi,api/api.yaml\n")
	d.yaml("api", "  capabilities: [CAP_NET_BIND_SERVICE]\n")
	writeFile(t, f.dir, "fail-daemon-reload", "")
	d.install(ExitError, "api: failed: systemctl daemon-reload: exit status 1; putting the old unit back failed too: systemctl daemon-reload: exit status 1\n")
	if readUnit(t, "api") != old {
		t.Errorf("the old unit was not put back:\n%s", readUnit(t, "api"))
	}
	os.Remove(filepath.Join(f.dir, "fail-daemon-reload"))
	d.install(ExitOK, "api: updated\n")
}

// TestInstallCSVRefusals: a CSV with any wrong row changes nothing (no
// file, no systemctl call), reports every problem as file:line: column:
// message and exits ExitUsage; root and systemd are required first.
func TestInstallCSVRefusals(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	d := newCSVDeploy(t)
	path := d.csv("name,config,account\n" +
		"api," + d.yaml("api", "") + ",\n" +
		"other,api/api.yaml,\n" +
		"broken," + d.yaml("broken", "  start_mode: sometimes\n") + ",\n" +
		"worker," + d.yaml("worker", "") + ",no-such-user-wrapper-test\n")
	writeFile(t, mkdir(t, systemdManager.UnitDir), "worker.service", "[Service]\nExecStart=/usr/bin/worker\n")
	stderr := d.install(ExitUsage, "")
	for _, want := range []string{
		path + `:3: name: "other", but ` + filepath.Join(d.dir, "api", "api.yaml") + ` gives the service the name "api"`,
		path + ":4: config: " + filepath.Join(d.dir, "broken", "broken.yaml") + ":5: service.start_mode:",
		path + `:5: account: service.user: no user "no-such-user-wrapper-test"`,
		"3 problems in " + path + "; nothing was changed",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	checkCalls(t, f)
	if _, err := os.Stat(systemdManager.UnitPath("api")); !os.IsNotExist(err) {
		t.Errorf("api was installed although a row was wrong: %v", err)
	}

	// A unit of that name that install did not write.
	d.csv("name,config\nworker,worker/worker.yaml\n")
	if stderr := d.install(ExitUsage, ""); !strings.Contains(stderr, ":2: name: "+systemdManager.UnitPath("worker")+" exists and was not written by wrapper install") {
		t.Errorf("stderr: %s", stderr)
	}
	d.csv("name,config,display_name\napi,api/api.yaml,API\n")
	if stderr := d.install(ExitUsage, ""); !strings.Contains(stderr, path+":1: display_name: unknown column") {
		t.Errorf("stderr: %s", stderr)
	}
	checkCalls(t, f)

	for _, tt := range []struct {
		name    string
		running bool
		euid    int
		args    []string
		code    int
		stderr  string
	}{
		{"no systemd", false, 0, nil, ExitNoServiceManager, "systemd is not running"},
		{"not root", true, 1000, nil, ExitNotAdmin, "must run as root"},
		{"with --config", true, 0, []string{"--config", "x.yaml"}, ExitUsage, "--csv excludes --config"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			newFakeSystemd(t, tt.running, tt.euid)
			code, _, stderr := runMain(t, append([]string{"install", "--csv", path}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d; stderr %q, want %q", code, tt.code, stderr, tt.stderr)
			}
		})
	}
}
