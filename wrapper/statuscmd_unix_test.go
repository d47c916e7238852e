//go:build unix

package wrapper

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// hostileText holds what an attacker writes to reach the admin's
// terminal: a window title change, a screen clear, a forged row, a C1 CSI
// and a byte that is not UTF-8.
const hostileText = "x\x1b]0;pwned\x07\x1b[2J\x1b[H\nforged: row\r\u009b31m\xff\u202e"

func init() {
	platformHelpers = append(platformHelpers, "hostile-stderr")
	// The bytes come from the child itself: YAML cannot carry them all as
	// arguments.
	fakechild.Register("hostile-stderr", func([]string) int {
		_, err := os.Stderr.WriteString("before\n" + hostileText + "\nafter\n")
		if err != nil {
			return 1
		}
		return 0
	})
}

// checkTerminalSafe fails the test when out holds a raw control byte or a
// row the attacker forged.
func checkTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	if s, bad := rawControl(out); bad {
		t.Errorf("%s prints a raw control character at %q:\n%s", what, s, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "forged") {
			t.Errorf("%s prints a forged row:\n%s", what, out)
		}
	}
}

// TestStatusEscapesChildStderr: a child writes escape sequences to its
// stderr; `wrapper status` shows them escaped, in text and in JSON.
func TestStatusEscapesChildStderr(t *testing.T) {
	dir := t.TempDir()
	// The child writes and exits; the long delay keeps the wrapper backing
	// off, with the child's stderr tail in its live status.
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hostile-stderr", nil, "restart: {policy: always, delay: 1h}\n"))
	startWrapper(t, cfg)
	var out string
	waitFor(t, "the stderr tail in the status", func() bool {
		_, out, _ = runMain(t, "status", "--config", cfg)
		return strings.Contains(out, "after")
	})
	checkTerminalSafe(t, "status", out)
	if !strings.Contains(out, `x\x1b]0;pwned\x07\x1b[2J\x1b[H`) {
		t.Errorf("status does not show the escape sequence escaped:\n%s", out)
	}
	_, js, _ := runMain(t, "status", "--config", cfg, "--json")
	checkTerminalSafe(t, "status --json", js)
	var rep statusReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil || !rep.Live || len(rep.Status.StderrTail) != 4 {
		t.Fatalf("status --json: %v, %+v", err, rep.Status)
	}
}

// TestStatusEscapesHostileStatusFile: the account that can write the log
// directory (nobody, when the test runs as root) writes a status file
// with escape sequences in every string; the fallback status shows them
// escaped.
func TestStatusEscapesHostileStatusFile(t *testing.T) {
	dir := sharedDir(t, 0o755)
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hang", nil, ""))
	logDir := filepath.Join(dir, "logs")
	if err := os.Mkdir(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	h := hostileText
	started := time.Now()
	f := statusfile.File{Service: h, WrapperPID: os.Getpid(), Config: h, State: h, PID: 1, Started: &started,
		Restarts: 1, Health: h, Waiting: h, LastRestartCause: h, NextStart: &started,
		LastExit: &statusfile.Exit{Meaning: h, Error: h, Uptime: h},
		Logs:     statusfile.Logs{Stdout: h, Stderr: h + "2", Wrapper: h}}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	writeAsAttacker(t, logDir, filepath.Join(logDir, "svc.status.json"), b)
	code, out, errOut := runMain(t, "status", "--config", cfg)
	if code != ExitOK || !strings.Contains(out, "running, pid") {
		t.Fatalf("status: exit %d, want %d (the pid is the test's own)\n%s%s", code, ExitOK, out, errOut)
	}
	checkTerminalSafe(t, "status", out)
	if n := strings.Count(out, `\x1b]0;pwned`); n < 10 {
		t.Errorf("status shows the hostile text escaped %d times, want every string field:\n%s", n, out)
	}
	_, js, _ := runMain(t, "status", "--config", cfg, "--json")
	checkTerminalSafe(t, "status --json", js)
}

// writeAsAttacker writes data to path as nobody (65534), owner of dir,
// when the test runs as root; otherwise as the test's own user.
func writeAsAttacker(t *testing.T, dir, path string, data []byte) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Log("not root: the test's own user plays the attacker")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", `cat > "$1"`, "sh", path)
	cmd.Stdin = strings.NewReader(string(data))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("write %s as nobody: %v: %s", path, err, out)
	}
}
