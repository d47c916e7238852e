//go:build unix

package wrapper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// runRootEnv passes this test binary's control.RunRoot to the wrappers it
// re-executes.
const runRootEnv = "WRAPPER_TEST_RUN_ROOT"

// isolateControl points control.RunRoot, in this test binary and in the
// wrappers it re-executes, at a directory of its own with mode 0755 in the
// system's temporary directory (as /run/wrapper is, and traversable by the
// other user of the attack tests), not at the machine's /run/wrapper, which
// a real service or another test run may use. TestMain calls it.
func isolateControl() {
	dir := os.Getenv(runRootEnv)
	if dir == "" {
		d, err := os.MkdirTemp("", "wrapper-run-")
		if err == nil {
			err = os.Chmod(d, 0o755)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "control run root:", err)
			os.Exit(2)
		}
		dir = d
		os.Setenv(runRootEnv, dir)
		fakechild.AtExit(func() { os.RemoveAll(dir) })
	}
	control.RunRoot = dir
}

// startWrapper runs `wrapper run --config cfg` as a process and returns it
// with its stderr buffer; the test ends it.
func startWrapper(t *testing.T, cfg string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	path, argv, env := fakechild.Command(t, "wrapper", "run", "--config", cfg)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	})
	return cmd, &stderr
}

// liveStatusOf asks the running wrapper for its status.
func liveStatusOf(t *testing.T, cfg string) statusReport {
	t.Helper()
	code, stdout, stderr := runMain(t, "status", "--config", cfg, "--json")
	var rep statusReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != ExitOK || !rep.Live {
		t.Fatalf("status: code %d, live %v, err %v\n%s%s", code, rep.Live, err, stdout, stderr)
	}
	return rep
}

// TestControlCommands drives a running wrapper through restart-child,
// rotate, reload (valid, invalid, process-changing) and SIGHUP, and checks
// the socket's place and mode, and that a second wrapper is refused.
func TestControlCommands(t *testing.T) {
	dir := t.TempDir()
	yaml := childYAML(t, "hang", []string{"ready"}, "stop: {timeout: 20s}\nlog: {max_size: 1MB}\n")
	cfg := writeFile(t, dir, "svc.yaml", yaml)
	cmd, stderr := startWrapper(t, cfg)
	waitFor(t, "the first child", func() bool { return strings.Count(readLog(t, dir, "svc.out.log"), "ready\n") == 1 })

	sock := filepath.Join(control.RunRoot, "svc", "ctl.sock")
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("control socket: %v, %v; want a socket with mode 0600", fi, err)
	}
	if fi, err := os.Stat(filepath.Dir(sock)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("control directory: %v, %v; want mode 0700", fi, err)
	}
	named := fmt.Sprintf("pid %d ", cmd.Process.Pid)
	if code, _, errOut := runMain(t, "run", "--config", cfg); code != ExitError || !strings.Contains(errOut, "already running") || !strings.Contains(errOut, named) {
		t.Errorf("second wrapper: exit %d, stderr %q; want %d, 'already running' and %q", code, errOut, ExitError, named)
	}

	first := liveStatusOf(t, cfg).Status.PID
	if code, out, errOut := runMain(t, "restart-child", "--config", cfg); code != ExitOK {
		t.Fatalf("restart-child: %d %s%s", code, out, errOut)
	}
	waitFor(t, "the restarted child", func() bool { return strings.Count(readLog(t, dir, "svc.out.log"), "ready\n") == 2 })
	waitFor(t, "a new pid", func() bool { p := liveStatusOf(t, cfg).Status.PID; return p != 0 && p != first })

	if code, _, errOut := runMain(t, "rotate", "--config", cfg); code != ExitOK {
		t.Fatalf("rotate: %d %s", code, errOut)
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "logs", "svc.out-*.log")); len(backups) != 1 {
		t.Errorf("after rotate: backups %v, want 1", backups)
	}

	// An invalid edit is refused and the child keeps running untouched.
	writeFile(t, dir, "svc.yaml", yaml+"restart: {policy: sometimes}\n")
	if code, _, errOut := runMain(t, "reload", "--config", cfg); code != ExitUsage || !strings.Contains(errOut, "restart.policy") {
		t.Errorf("invalid reload: exit %d, stderr %q", code, errOut)
	}
	// A process setting (here an environment variable) restarts the child.
	writeFile(t, dir, "svc.yaml", strings.Replace(yaml, "env:\n", "env:\n  EXTRA: one\n", 1))
	if code, out, errOut := runMain(t, "reload", "--config", cfg); code != ExitOK || !strings.Contains(out, "reloaded") {
		t.Fatalf("reload: exit %d, %s%s", code, out, errOut)
	}
	waitFor(t, "the reloaded child", func() bool {
		return strings.Count(readLog(t, dir, "svc.out.log"), "ready\n") >= 1 &&
			strings.Contains(readLog(t, dir, "svc.wrapper.log"), "configuration reloaded")
	})
	// SIGHUP reloads too.
	writeFile(t, dir, "svc.yaml", strings.Replace(yaml, "env:\n", "env:\n  EXTRA: two\n", 1))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the child restarted by the SIGHUP reload", func() bool { return readyCount(t, dir) == 4 })
	if n := strings.Count(readLog(t, dir, "svc.wrapper.log"), "configuration reloaded"); n != 2 {
		t.Errorf("wrapper log has %d reloads, want 2", n)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wrapper: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
	if code, _, _ := runMain(t, "restart-child", "--config", cfg); code != ExitNotRunning {
		t.Errorf("restart-child with no wrapper: exit %d, want %d", code, ExitNotRunning)
	}
}

// readyCount counts the children that came up (rotation moved the first
// lines into a backup, so backups count too).
func readyCount(t *testing.T, dir string) int {
	t.Helper()
	n := strings.Count(readLog(t, dir, "svc.out.log"), "ready\n")
	backups, _ := filepath.Glob(filepath.Join(dir, "logs", "svc.out-*.log"))
	for _, b := range backups {
		data, _ := os.ReadFile(b)
		n += strings.Count(string(data), "ready\n")
	}
	return n
}

// dialHelper is a fake-child helper: it connects to the Unix socket args[0]
// and prints "connected" or the error.
func dialHelper(args []string) int {
	c, err := net.Dial("unix", args[0])
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	c.Close()
	fmt.Println("connected")
	return 0
}

// sharedDir returns a new folder with the given mode under the system's
// temporary folder, which every user can traverse (t.TempDir's parents are
// private), removed at the end of the test: for tests that run a process
// as another user.
func sharedDir(t *testing.T, mode os.FileMode) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wrapper-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyExecutable copies the program at path (the test binary, whose folder
// other users cannot read) into dir as an executable every user may run,
// and returns the copy's path.
func copyExecutable(t *testing.T, path, dir string) string {
	t.Helper()
	exe := filepath.Join(dir, "helper")
	if b, err := os.ReadFile(path); err != nil || os.WriteFile(exe, b, 0o755) != nil {
		t.Fatalf("copy the test binary: %v", err)
	}
	return exe
}

// TestControlSocketRefusesOtherUsers connects as another user (nobody):
// the socket's directory (0700) and mode (0600) must refuse it, while root
// connects.
func TestControlSocketRefusesOtherUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	// The config and a copy of the test binary.
	dir := sharedDir(t, 0o755)
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hang", []string{"ready"}, ""))
	startWrapper(t, cfg)
	waitFor(t, "the child", func() bool { return readLog(t, dir, "svc.out.log") == "ready\n" })
	path, argv, env := fakechild.Command(t, "dial", control.Address("svc"))
	exe := copyExecutable(t, path, dir)
	for _, c := range []struct {
		user *syscall.Credential
		want string
	}{
		{nil, "connected"}, // root: the control of the test itself
		{&syscall.Credential{Uid: 65534, Gid: 65534}, "permission denied"},
	} {
		client := exec.Command(exe, argv...)
		client.Env = env
		client.SysProcAttr = &syscall.SysProcAttr{Credential: c.user}
		out, _ := client.CombinedOutput()
		if !strings.Contains(string(out), c.want) {
			t.Errorf("client as %v: %q, want %q", c.user, out, c.want)
		}
	}
}

// TestWaitForShowsInStatus: a start waits for its wait_for file, status
// says so, and the child starts once the file appears.
func TestWaitForShowsInStatus(t *testing.T) {
	dir := t.TempDir()
	flag := filepath.Join(dir, "ready.flag")
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hang", []string{"ready"},
		"wait_for:\n  - file: "+flag+"\n    timeout: 10m\n"))
	startWrapper(t, cfg)
	waitFor(t, "the waiting state", func() bool {
		c, stdout, _ := runMain(t, "status", "--config", cfg)
		return c == ExitOK && strings.Contains(stdout, "waiting:") && strings.Contains(stdout, "ready.flag")
	})
	if got := readLog(t, dir, "svc.out.log"); got != "" {
		t.Fatalf("the child started before its condition: %q", got)
	}
	writeFile(t, dir, "ready.flag", "")
	waitFor(t, "the child after the flag", func() bool { return readLog(t, dir, "svc.out.log") == "ready\n" })
	// The child may print before the supervisor has recorded it running.
	waitFor(t, "the running state", func() bool { return liveStatusOf(t, cfg).Status.State == "running" })
	if st := liveStatusOf(t, cfg).Status; st.Waiting != "" {
		t.Errorf("after the flag: still waiting for %q", st.Waiting)
	}
}

// TestWatchReloadsOnSave: with watch: true, saving the YAML reloads it
// (here a process change, so the child restarts) without any command.
func TestWatchReloadsOnSave(t *testing.T) {
	dir := t.TempDir()
	yaml := childYAML(t, "hang", []string{"ready"}, "watch: true\n")
	cfg := writeFile(t, dir, "svc.yaml", yaml)
	startWrapper(t, cfg)
	waitFor(t, "the first child", func() bool { return readyCount(t, dir) == 1 })
	writeFile(t, dir, "svc.yaml", strings.Replace(yaml, "env:\n", "env:\n  EXTRA: saved\n", 1))
	waitFor(t, "the child restarted by the watched save", func() bool { return readyCount(t, dir) == 2 })
	if log := readLog(t, dir, "svc.wrapper.log"); !strings.Contains(log, "configuration file changed") {
		t.Errorf("wrapper log lacks the watch event:\n%s", log)
	}
}

// TestCLIFindsWrapperAfterTheYAMLBroke: once the YAML no longer loads, the
// CLI still reaches the wrapper running with the configuration it started
// with (its endpoint depends on the name alone): status shows it live and
// restart-child restarts its child, each with a warning naming the
// problems; reload is refused by the wrapper itself (exit 2).
func TestCLIFindsWrapperAfterTheYAMLBroke(t *testing.T) {
	dir := t.TempDir()
	yaml := childYAML(t, "hang", []string{"ready"}, "")
	cfg := writeFile(t, dir, "svc.yaml", yaml)
	startWrapper(t, cfg)
	waitFor(t, "the first child", func() bool { return readyCount(t, dir) == 1 })
	writeFile(t, dir, "svc.yaml", yaml+"restart: {dealy: 1s}\n")

	code, stdout, stderr := runMain(t, "status", "--config", cfg)
	if code != ExitOK || !strings.Contains(stdout, "running") || !strings.Contains(stderr, "restart.dealy") ||
		!strings.Contains(stderr, "all the same") {
		t.Fatalf("status: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if code, _, stderr := runMain(t, "restart-child", "--config", cfg); code != ExitOK {
		t.Fatalf("restart-child: exit %d\n%s", code, stderr)
	}
	waitFor(t, "the restarted child", func() bool { return readyCount(t, dir) == 2 })
	if code, _, stderr := runMain(t, "reload", "--config", cfg); code != ExitUsage || !strings.Contains(stderr, "refused") {
		t.Errorf("reload of the broken YAML: exit %d, want %d, refused by the wrapper\n%s", code, ExitUsage, stderr)
	}
}
