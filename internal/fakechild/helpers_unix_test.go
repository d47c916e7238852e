//go:build unix

package fakechild

import (
	"bufio"
	"errors"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	testHelpers = append(testHelpers, "ignore-term", "grandchild", "orphan", "double-fork")
}

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
	for _, mode := range []string{"", "detach", "setsid"} {
		t.Run("mode="+mode, func(t *testing.T) {
			var args []string
			if mode != "" {
				args = []string{mode}
			}
			cmd, sc := StartGroup(t, "grandchild", args...)
			gpid := scanPID(t, sc)
			pgid, err := syscall.Getpgid(gpid)
			if err != nil {
				t.Fatalf("grandchild %d not running: %v", gpid, err)
			}
			if inGroup := pgid == cmd.Process.Pid; inGroup != (mode == "") {
				t.Fatalf("grandchild group %d, child %d, mode %q", pgid, cmd.Process.Pid, mode)
			}
			sid, err := unix.Getsid(gpid)
			if err != nil {
				t.Fatal(err)
			}
			if ownSession := sid == gpid; ownSession != (mode == "setsid") {
				t.Fatalf("grandchild %d in session %d, mode %q", gpid, sid, mode)
			}
			if mode != "" {
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

// TestOrphan: the helper exits at once and leaves its grandchild running in
// a session of its own, holding the output pipe; with ignore-term the
// grandchild says when it ignores SIGTERM.
func TestOrphan(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run("ignore-term="+strconv.FormatBool(ignore), func(t *testing.T) {
			var args []string
			if ignore {
				args = []string{"ignore-term"}
			}
			cmd, sc := StartGroup(t, "orphan", args...)
			// The two processes print in any order.
			gpid, ready := 0, !ignore
			for gpid == 0 || !ready {
				if !sc.Scan() {
					t.Fatalf("pid %d, ready %v, then %v", gpid, ready, sc.Err())
				}
				if sc.Text() == "ready" {
					ready = true
					continue
				}
				gpid = linePID(t, sc.Text())
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("orphan helper: %v, want exit 0", err)
			}
			mustOwnSession(t, gpid)
		})
	}
}

// TestDoubleFork: the grandchild outlives its parent, the helper's child,
// while the helper runs on.
func TestDoubleFork(t *testing.T) {
	cmd, sc := StartGroup(t, "double-fork")
	gpid := scanPID(t, sc)
	if !sc.Scan() || sc.Text() != "orphaned" {
		t.Fatalf("line %q (err %v), want orphaned", sc.Text(), sc.Err())
	}
	mustOwnSession(t, gpid)
	if err := syscall.Kill(cmd.Process.Pid, 0); err != nil {
		t.Fatalf("double-fork helper not running: %v", err)
	}
}

// scanPID reads a line holding a pid (see linePID).
func scanPID(t *testing.T, sc *bufio.Scanner) int {
	t.Helper()
	if !sc.Scan() {
		t.Fatalf("no pid line: %v", sc.Err())
	}
	return linePID(t, sc.Text())
}

// linePID parses a line holding a pid; the process is killed when the test
// ends.
func linePID(t *testing.T, line string) int {
	t.Helper()
	pid, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("pid line %q", line)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

// mustOwnSession fails unless pid runs as the leader of a session of its own.
func mustOwnSession(t *testing.T, pid int) {
	t.Helper()
	if sid, err := unix.Getsid(pid); err != nil || sid != pid {
		t.Fatalf("grandchild %d: session %d, %v; want a session of its own", pid, sid, err)
	}
}
