//go:build unix

package control

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// attacker is the second account the attacks run as.
var attacker = &syscall.Credential{Uid: 65534, Gid: 65534}

// isolate points RunRoot, for this test, at a new directory of root's with
// mode 0755, as /run/wrapper is, in the system's temporary directory,
// which every user can traverse.
func isolate(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wrapper-run-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := RunRoot
	RunRoot = dir
	t.Cleanup(func() { RunRoot = old })
	return dir
}

// forgedListener listens on the socket path as whoever runs it.
func forgedListener(path string) (Listener, error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	return unixListener{l}, nil
}

// startImpostor gives the attacker the directory where service's socket
// belongs (what a service account has under systemd's RuntimeDirectory=,
// or any account where the directory is misconfigured) and runs the
// impostor there as the attacker. It returns the impostor's pid.
func startImpostor(t *testing.T, service string) int {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the attacker as another user")
	}
	dir := filepath.Join(RunRoot, service)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, int(attacker.Uid), int(attacker.Gid)); err != nil {
		t.Fatal(err)
	}
	path, argv, env := fakechild.Command(t, "impostor", filepath.Join(dir, sockName))
	cmd := exec.Command(copyExecutable(t, path, RunRoot), argv...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: attacker}
	return runImpostor(t, cmd)
}

// copyExecutable copies the program at path (the test binary, whose folder
// other users cannot read) into dir as an executable every user may run.
func copyExecutable(t *testing.T, path, dir string) string {
	t.Helper()
	exe := filepath.Join(dir, "helper")
	if b, err := os.ReadFile(path); err != nil || os.WriteFile(exe, b, 0o755) != nil {
		t.Fatalf("copy the test binary: %v", err)
	}
	return exe
}
