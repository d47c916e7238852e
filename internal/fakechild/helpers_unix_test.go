//go:build unix

package fakechild

import (
	"errors"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func init() { testHelpers = append(testHelpers, "ignore-term", "grandchild") }

// TestIgnoreTerm: SIGTERM is ignored, so the SIGKILL that follows is what
// ends the process. Were SIGTERM not ignored, the kill(2) call would already
// have decided the exit (Go re-raises an unhandled SIGTERM, racing the
// SIGKILL), so this can fail.
func TestIgnoreTerm(t *testing.T) {
	cmd, sc := StartGroup(t, "ignore-term")
	if !sc.Scan() || sc.Text() != "ready" {
		t.Fatalf("line %q, want ready", sc.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("wait: %v", err)
	}
	if ws := ee.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("status %v, want killed by SIGKILL", ws)
	}
}

func TestGrandchild(t *testing.T) {
	for _, detach := range []bool{false, true} {
		t.Run("detach="+strconv.FormatBool(detach), func(t *testing.T) {
			var args []string
			if detach {
				args = []string{"detach"}
			}
			cmd, sc := StartGroup(t, "grandchild", args...)
			if !sc.Scan() {
				t.Fatalf("no pid line: %v", sc.Err())
			}
			gpid, err := strconv.Atoi(sc.Text())
			if err != nil {
				t.Fatalf("pid line %q", sc.Text())
			}
			t.Cleanup(func() { syscall.Kill(gpid, syscall.SIGKILL) })
			pgid, err := syscall.Getpgid(gpid)
			if err != nil {
				t.Fatalf("grandchild %d not running: %v", gpid, err)
			}
			if inGroup := pgid == cmd.Process.Pid; inGroup == detach {
				t.Fatalf("grandchild group %d, child %d, detach %v", pgid, cmd.Process.Pid, detach)
			}
			if detach {
				return
			}
			// The grandchild shares the child's stdout: killing the group
			// is what lets the pipe reach EOF.
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			done := make(chan bool)
			go func() { done <- sc.Scan() }()
			select {
			case more := <-done:
				if more {
					t.Fatalf("unexpected line %q", sc.Text())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("stdout still open 30s after the group was killed")
			}
		})
	}
}
