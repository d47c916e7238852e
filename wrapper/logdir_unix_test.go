//go:build unix

package wrapper

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLogDirHoldingExecutableRefused performs the attack that log.dir's
// rule closes: the log directory holds the child executable, the service
// account (nobody, when the test runs as root) owns it, as install makes
// it, and swaps the executable for its own script; root then runs the
// wrapper on that YAML. The wrapper must refuse the configuration (exit 2)
// before anything runs: the script, run as root, would leave a marker
// where nobody cannot write.
func TestLogDirHoldingExecutableRefused(t *testing.T) {
	top := sharedDir(t, 0o755)
	app := filepath.Join(top, "app")
	if err := os.Mkdir(app, 0o755); err != nil {
		t.Fatal(err)
	}
	run := writeFile(t, app, "run.sh", "#!/bin/sh\nexit 0\n")
	if err := os.Chmod(run, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, top, "svc.yaml", "name: svc\nexecutable: app/run.sh\nlog: {dir: app}\nrestart: {policy: never}\n")
	marker := filepath.Join(t.TempDir(), "pwned") // a folder only root may write
	swap := exec.Command("/bin/sh", "-c", `rm -f "$1" && printf '#!/bin/sh\ntouch "%s"\n' "$2" > "$1" && chmod 755 "$1"`,
		"sh", run, marker)
	if os.Geteuid() == 0 {
		if err := os.Chown(app, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		swap.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	} else {
		t.Log("not root: the test's own user plays the service account")
	}
	if out, err := swap.CombinedOutput(); err != nil {
		t.Fatalf("swap the executable: %v: %s", err, out)
	}
	code, _, stderr := runMain(t, "run", "--config", cfg)
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the swapped executable ran as the wrapper's user")
	}
	if code != ExitUsage || !strings.Contains(stderr, cfg+":3: log.dir: "+app+" holds the executable ("+run+")") {
		t.Errorf("run: exit %d, want %d and a log.dir problem naming the executable\n%s", code, ExitUsage, stderr)
	}
}
