package wrapper

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() { platformHelpers = append(platformHelpers, "grandchild") }

// procNice returns a process's nice value (field 19 of /proc/<pid>/stat).
func procNice(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))[16]
}

// procEnv returns a process's environment entries.
func procEnv(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// sharedChildYAML is childYAML for a child that another account runs: the
// test binary copied into dir (which every user may search), then extra.
func sharedChildYAML(t *testing.T, dir, helper, extra string) string {
	t.Helper()
	path, argv, _ := fakechild.Command(t, helper)
	quoted, _ := json.Marshal(argv)
	return fmt.Sprintf("name: svc\nexecutable: %q\narguments: %s\nenv:\n  %s: %s\n%s",
		copyExecutable(t, path, dir), quoted, fakechild.EnvVar, helper, extra)
}

// TestRunAsUser: `wrapper run` as root with user and group runs the child
// and its grandchild as that account, with the account's supplementary
// groups, HOME and USER, and LOGNAME as the YAML's env sets it, at the
// YAML's priority and on its CPU; the hook stays root's, with root's HOME,
// and the log files the wrapper's.
func TestRunAsUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the child as another account")
	}
	dir := sharedDir(t, 0o755)
	cpus := fakechild.ProcStatus(t, os.Getpid(), "Cpus_allowed_list")
	last := cpus[strings.LastIndexAny(cpus, ",-")+1:]
	hook := filepath.Join(dir, "hook.out")
	cfg := writeFile(t, dir, "svc.yaml", sharedChildYAML(t, dir, "grandchild", fmt.Sprintf(
		"  LOGNAME: kept\nuser: nobody\ngroup: daemon\npriority: below-normal\naffinity: %q\n"+
			"hooks: {post_start: {command: [/bin/sh, -c, 'echo \"$$(id -u) $$HOME\" > \"$$0\"', %q]}}\n", last, hook)))
	_, stderr := startWrapper(t, cfg)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("wrapper:\n%s\nout: %q", stderr, readLog(t, dir, "svc.out.log"))
		}
	})
	var gpid int
	waitFor(t, "the grandchild's pid", func() bool {
		gpid, _ = strconv.Atoi(strings.TrimSpace(readLog(t, dir, "svc.out.log")))
		return gpid != 0 && strings.Contains(readLog(t, dir, "svc.wrapper.log"), `msg="child started"`)
	})
	pid := childPID(t, readLog(t, dir, "svc.wrapper.log"))
	for _, id := range []int{pid, gpid} {
		for key, want := range map[string]string{"Uid": "65534 65534 65534 65534", "Gid": "1 1 1 1",
			"Groups": "1 65534", "Cpus_allowed_list": last} {
			if got := fakechild.ProcStatus(t, id, key); got != want {
				t.Errorf("process %d: %s %q, want %q", id, key, got, want)
			}
		}
		if got := procNice(t, id); got != "10" {
			t.Errorf("process %d: nice %s, want 10", id, got)
		}
		env := strings.Join(procEnv(t, id), "\n") + "\n"
		for _, want := range []string{"HOME=/nonexistent\n", "USER=nobody\n", "LOGNAME=kept\n"} {
			if !strings.Contains(env, want) {
				t.Errorf("process %d: environment lacks %s", id, want)
			}
		}
	}
	waitFor(t, "the post_start hook", func() bool { b, _ := os.ReadFile(hook); return len(b) > 0 })
	if b, _ := os.ReadFile(hook); string(b) != "0 "+os.Getenv("HOME")+"\n" {
		t.Errorf("hook wrote %q, want root's uid and HOME", b)
	}
	for _, name := range []string{"svc.out.log", "svc.wrapper.log"} {
		if fi, err := os.Stat(filepath.Join(dir, "logs", name)); err != nil || fi.Sys().(*syscall.Stat_t).Uid != 0 {
			t.Errorf("%s: %v; want a file of root's, which the wrapper writes", name, err)
		}
	}
}

// TestRunAsUserNeedsRoot runs the wrapper as nobody: a user it is not
// cannot be switched to (exit 2, nothing made), a priority it may not
// raise the child to is refused (exit 2), and a user it already is runs
// the child without any switch.
func TestRunAsUserNeedsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the wrapper as another account")
	}
	dir := sharedDir(t, 0o755)
	logs := filepath.Join(dir, "nobody-logs")
	if err := os.Mkdir(logs, 0o755); err != nil || os.Chown(logs, 65534, 65534) != nil {
		t.Fatalf("log directory for nobody: %v", err)
	}
	wrapperPath, wrapperArgs, env := fakechild.Command(t, "wrapper")
	exe := copyExecutable(t, wrapperPath, dir) // the child's copy too: the same test binary
	for _, tc := range []struct {
		name, extra string
		code        int
		stderr      string
	}{
		{"another user", "user: daemon\nlog: {dir: " + dir + "/none}\n", ExitUsage,
			"user: the wrapper runs as nobody (uid 65534), not as root, and cannot run the program as daemon: " +
				"start it as root (sudo wrapper run; under systemd, service.user: root), or remove user"},
		{"a raised priority", "user: nobody\npriority: high\nlog: {dir: " + logs + "}\n", ExitUsage,
			"priority high (nice -10): the wrapper runs at nice " + procNice(t, os.Getpid()) + " and may not raise the priority of what it starts: " +
				"that needs root or CAP_SYS_NICE"},
		{"itself", "user: nobody\ngroup: nogroup\nrestart: {policy: never}\nlog: {dir: " + logs + "}\n", ExitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "svc.yaml", sharedChildYAML(t, dir, "echo", tc.extra))
			cmd := exec.Command(exe, append(wrapperArgs, "run", "--config", cfg)...)
			cmd.Env, cmd.Dir = env, dir
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tc.code || !strings.Contains(string(out), tc.stderr) {
				t.Errorf("exit %d, want %d and %q:\n%s", code, tc.code, tc.stderr, out)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none")); err == nil {
		t.Error("the refused wrapper made its log directory")
	}
}

// TestInstallChecksUser: install refuses a user this machine does not
// have (the service would fail at every start), and a CSV row whose
// account column makes service.user contradict user; nothing is written.
func TestInstallChecksUser(t *testing.T) {
	f := newFakeSystemd(t, true, 0)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", "name: svc\nexecutable: /bin/sh\nuser: no-such-user-wrapper-test\nservice: {user: root}\n")
	code, _, stderr := runMain(t, "install", "--config", cfg)
	if code != ExitUsage || !strings.Contains(stderr, `wrapper install: user: no user "no-such-user-wrapper-test" on this machine`) {
		t.Errorf("install: exit %d, want %d and the unknown user\n%s", code, ExitUsage, stderr)
	}
	sub := mkdir(t, filepath.Join(dir, "api"))
	writeFile(t, sub, "api.yaml", "name: api\nexecutable: /bin/sh\nuser: nobody\nservice: {user: root}\n")
	csv := writeFile(t, dir, "services.csv", "name,config,account\napi,api/api.yaml,daemon\n")
	code, _, stderr = runMain(t, "install", "--csv", csv)
	if want := csv + `:2: account: user: "nobody" differs from service.user "daemon"`; code != ExitUsage || !strings.Contains(stderr, want) {
		t.Errorf("install --csv: exit %d, want %d and %q\n%s", code, ExitUsage, want, stderr)
	}
	checkCalls(t, f)
	if _, err := os.Stat(systemdManager.UnitPath("svc")); !os.IsNotExist(err) {
		t.Errorf("a unit was written: %v", err)
	}
}
