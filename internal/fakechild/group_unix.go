//go:build unix

package fakechild

import (
	"bufio"
	"os/exec"
	"syscall"
	"testing"
)

// StartGroup starts helper name as the leader of a process group of its
// own, as the supervisor starts children, and returns it with a scanner on
// its stdout. The group is killed and the helper reaped when the test ends.
func StartGroup(t testing.TB, name string, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	path, argv, env := Command(t, name, args...)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd, bufio.NewScanner(out)
}

// newSession puts a process in a session (and process group) of its own,
// as a daemon does with setsid: out of reach of any signal aimed at its
// parent's group or session.
func newSession() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}
