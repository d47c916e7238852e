//go:build unix

package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() { fakechild.Register("dial", dialHelper) }

// waitFor polls cond until it holds or the deadline passes. Used only where
// the event is a file's content changing, which has no channel to wait on.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunStopsChildOnSignal runs a whole wrapper process, waits for its child
// to be up, sends the wrapper SIGTERM (or SIGINT, as Ctrl-C would) and checks
// that the wrapper exits 0 and the child is gone.
func TestRunStopsChildOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hang", []string{"ready"}, "stop: {timeout: 20s}\n"))
			cmd, stderr := startWrapper(t, cfg)
			// The child may print before the wrapper logs its start: wait for both.
			waitFor(t, "the child's ready line", func() bool {
				return readLog(t, dir, "svc.out.log") == "ready\n" && strings.Contains(readLog(t, dir, "svc.wrapper.log"), `msg="child started"`)
			})
			pid := childPID(t, readLog(t, dir, "svc.wrapper.log"))
			checkStatus(t, cfg, ExitOK, true, "running", pid)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if err != nil {
				t.Fatalf("wrapper exit: %v; stderr:\n%s", err, stderr.String())
			}
			// The wrapper reaped the child before exiting, so the pid is
			// free now (kill -0 fails with ESRCH).
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("child pid %d still exists after the wrapper exited (kill -0: %v)", pid, err)
			}
			checkStatus(t, cfg, ExitNotRunning, false, "stopped", 0)
			if !strings.Contains(stderr.String(), "wrapper exiting") {
				t.Errorf("console lacks the exit event:\n%s", stderr.String())
			}
		})
	}
}

// checkStatus runs `wrapper status --json` and checks its verdict. The
// status file is written from its own goroutine just after the change, so a
// state still in flight is waited for.
func checkStatus(t *testing.T, cfg string, code int, running bool, state string, pid int) {
	t.Helper()
	var rep statusReport
	waitFor(t, "status "+state, func() bool {
		c, stdout, stderr := runMain(t, "status", "--config", cfg, "--json")
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("status --json: %v\n%s%s", err, stdout, stderr)
		}
		return c == code && rep.Status != nil && rep.Status.State == state
	})
	if rep.Running != running || rep.Status.PID != pid || rep.Service != "svc" {
		t.Errorf("status = %+v / %+v, want running=%v pid=%d", rep, rep.Status, running, pid)
	}
	if _, stdout, _ := runMain(t, "status", "--config", cfg); !strings.Contains(stdout, "child:") {
		t.Errorf("human status lacks the child row:\n%s", stdout)
	}
}

// childPID extracts the pid of the first "child started" event.
func childPID(t *testing.T, log string) int {
	t.Helper()
	m := regexp.MustCompile(`msg="child started".* pid=(\d+)`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no child started event in wrapper log:\n%s", log)
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// TestDemoRunsAndRotates runs `wrapper demo` as a process until its log has
// rotated at least once, then interrupts it as a user's Ctrl-C would.
func TestDemoRunsAndRotates(t *testing.T) {
	dir := t.TempDir()
	// The demo's child is WRAPPER_EXE demo-child: here the test binary, which
	// the inherited helper variable turns back into the wrapper.
	path, argv, env := fakechild.Command(t, "wrapper", "demo", "--dir", dir)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a rotated demo log", func() bool {
		backups, _ := filepath.Glob(filepath.Join(dir, "logs", "demo.out-*.log"))
		return len(backups) > 0
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo exit: %v; stderr:\n%s", err, stderr.String())
	}
	for _, want := range []string{"demo.out.log", "demo.out-", "demo.err.log", "demo.wrapper.log"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("demo listing lacks %q:\n%s", want, stdout.String())
		}
	}
	if log := readLog(t, dir, "demo.err.log"); !strings.Contains(log, "demo child: started") {
		t.Errorf("demo child's stderr not logged:\n%s", log)
	}
}

// TestRunReplacesPlantedLogLink: a link planted where the child's log goes
// is replaced, never followed, and the wrapper's own log says so (the
// attack itself, as another account, is logrotate's TestAttack* tests;
// this proves the host passes the report on).
func TestRunReplacesPlantedLogLink(t *testing.T) {
	dir := t.TempDir()
	target := writeFile(t, dir, "precious", "keep\n")
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "echo", []string{"hello"}, "restart: {policy: never}\n"))
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "logs", "svc.out.log")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	if got := readLog(t, dir, "svc.out.log"); got != "hello\n" {
		t.Errorf("svc.out.log = %q, want the child's line in a regular file", got)
	}
	if log := readLog(t, dir, "svc.wrapper.log"); !strings.Contains(log, "a link was found in place of the log file") {
		t.Errorf("the wrapper log does not report the link:\n%s", log)
	}
}

// TestStatusAfterGivingUpShowsStderr: after the wrapper has ended (here the
// circuit breaker), `status` still shows the child's last stderr lines,
// kept in the status file, and rows without a label of their own carry no
// stray colon.
func TestStatusAfterGivingUpShowsStderr(t *testing.T) {
	dir := t.TempDir()
	// Exit 0 counts as a failure here, so the breaker trips after two runs.
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "stderr", []string{"boom", "last words"},
		"restart: {delay: 0s, max_failures: 2, success_exit_codes: [7]}\n"))
	// A process of its own: status must find that wrapper gone.
	path, argv, env := fakechild.Command(t, "wrapper", "run", "--config", cfg)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != ExitGaveUp {
		t.Fatalf("run: %v, want exit %d; output:\n%s", err, ExitGaveUp, out)
	}
	code, stdout, _ := runMain(t, "status", "--config", cfg)
	if code != ExitNotRunning {
		t.Fatalf("status: exit %d, want %d\n%s", code, ExitNotRunning, stdout)
	}
	if !strings.Contains(stdout, "stderr:      last 4 lines:\n") || !strings.HasSuffix(strings.Split(stdout, "logs:")[0], "    boom\n    last words\n") {
		t.Errorf("status lacks the child's last stderr lines:\n%s", stdout)
	}
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, ":") || strings.HasPrefix(strings.TrimSpace(l), ": ") {
			t.Errorf("a row with an empty label: %q", l)
		}
	}
}

// TestRunStopStepsCloseStdin: a wrapper process runs a server that ignores
// SIGTERM but stops at the end of its stdin (stdin: open), with the steps
// [signal TERM 200ms, close_stdin]. SIGTERM to the wrapper stops it at
// step 2 with exit code 0 (close_stdin's timeout is an hour: only that
// step can have ended it), and `status` says so, as a person reads it and
// in JSON.
func TestRunStopStepsCloseStdin(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "serve", []string{"eof", "ignore-term"},
		"stdin: open\nstop:\n  steps:\n    - {signal: TERM, timeout: 200ms}\n    - {close_stdin: true, timeout: 1h}\n"))
	cmd, stderr := startWrapper(t, cfg)
	waitFor(t, "the server's first line", func() bool {
		return strings.HasPrefix(readLog(t, dir, "svc.out.log"), "listening ") &&
			strings.Contains(readLog(t, dir, "svc.wrapper.log"), `msg="child started"`)
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wrapper exit: %v; stderr:\n%s", err, stderr.String())
	}
	if out := readLog(t, dir, "svc.out.log"); !strings.HasSuffix(out, "stdin closed\n") {
		t.Errorf("child output %q", out)
	}
	wl := readLog(t, dir, "svc.wrapper.log")
	for _, want := range []string{`msg=stopped .*by=close-stdin step=2`, `msg="child exited" .*code=0 .*stopped_by=close-stdin step=2`} {
		if !regexp.MustCompile(want).MatchString(wl) {
			t.Errorf("wrapper log lacks %s:\n%s", want, wl)
		}
	}
	_, stdout, _ := runMain(t, "status", "--config", cfg)
	if !regexp.MustCompile(`last stop: +step 2 \(close_stdin\) after \d`).MatchString(stdout) {
		t.Errorf("status lacks the last stop:\n%s", stdout)
	}
	_, stdout, _ = runMain(t, "status", "--config", cfg, "--json")
	var rep statusReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Status == nil || rep.Status.LastStop == nil ||
		rep.Status.LastStop.Step != 2 || rep.Status.LastStop.By != "close_stdin" {
		t.Errorf("status --json: %v\n%s", err, stdout)
	}
}
