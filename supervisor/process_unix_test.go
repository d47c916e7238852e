//go:build unix

package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func init() { testHelpers = append(testHelpers, "hang", "ignore-term", "grandchild") }

// gone reports whether pid no longer runs. A zombie counts as gone: with no
// reaping init (some containers) an orphan stays a zombie forever.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false // no procfs (macOS, BSD): kill(pid, 0) has the answer
	}
	// The state follows the parenthesised command name, which may contain
	// spaces or parentheses itself.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] == 'Z' || stat[i+2] == 'X'
	}
	return false
}

// waitGone waits until pid no longer runs. There is no event for the death
// of a process that is not our child, so it polls with a generous deadline.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still running after %v", pid, waitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killLater kills pid at the end of the test, in case an assertion failed
// and left it running.
func killLater(t *testing.T, pid int) {
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
}

// TestRealStopSignal: the child dies of the configured stop signal, well
// before the (long) stop timeout. (USR1/USR2 are not tested: a Go child
// ignores them unless it asks for them.)
func TestRealStopSignal(t *testing.T) {
	for sig, want := range map[string]string{"": "SIGTERM", "INT": "SIGINT", "HUP": "SIGHUP"} {
		t.Run(want, func(t *testing.T) {
			r := newReal(t, "hang", []string{"ready"}, func(o *Options) {
				o.Stop = StopOptions{Signal: sig, Timeout: time.Hour}
			})
			stop := r.background(t)
			r.out.waitLine(t, equals("ready"))
			if err := stop(); err != nil {
				t.Fatalf("Run = %v, want nil", err)
			}
			st := r.Status()
			if st.State != StateStopped || st.LastExit.Signal != want || st.LastExit.Code != -1 {
				t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
			}
			r.log.mustLog(t, "stopped", "by=signal")
		})
	}
}

// TestRealStopSignalInheritedIgnore: the wrapper ignores the stop signal (as
// under nohup), yet the child still dies of it.
func TestRealStopSignalInheritedIgnore(t *testing.T) {
	if !signal.Ignored(syscall.SIGHUP) {
		signal.Ignore(syscall.SIGHUP)
		t.Cleanup(func() { signal.Reset(syscall.SIGHUP) })
	}
	r := newReal(t, "hang", []string{"ready"}, func(o *Options) {
		o.Stop = StopOptions{Signal: "HUP", Timeout: time.Hour}
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("ready"))
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if st := r.Status(); st.LastExit.Signal != "SIGHUP" {
		t.Fatalf("last exit %+v, want killed by SIGHUP", st.LastExit)
	}
	if !signal.Ignored(syscall.SIGHUP) {
		t.Fatal("Run did not restore the ignore")
	}
}

func TestRealStopKillsAfterTimeout(t *testing.T) {
	r := newReal(t, "ignore-term", nil, func(o *Options) {
		o.Stop = StopOptions{Timeout: 300 * time.Millisecond}
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("ready"))
	pid := waitPID(t, r.Supervisor)
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if st := r.Status(); st.LastExit.Signal != "SIGKILL" || st.State != StateStopped {
		t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
	}
	r.log.mustLog(t, "stopping", "signal=TERM", "timeout=300ms")
	r.log.mustLog(t, "stopped", "by=kill")
	waitGone(t, pid)
}

func TestRealStopKillsGrandchild(t *testing.T) {
	r := newReal(t, "grandchild", nil, nil)
	stop := r.background(t)
	gpid, _ := strconv.Atoi(r.out.waitLine(t, isPID))
	killLater(t, gpid)
	if gone(gpid) {
		t.Fatalf("grandchild %d not running before the stop", gpid)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	waitGone(t, gpid)
}

// TestRealChildExitKillsGroup: when the child dies by itself, its group is
// killed, so a grandchild neither survives nor holds the output pipe open.
// The drain backstop is an hour: only the group kill lets Run return.
func TestRealChildExitKillsGroup(t *testing.T) {
	r := newReal(t, "grandchild", nil, nil)
	r.Supervisor.start = (&spawner{opts: r.opts, drain: time.Hour, main: true}).start
	errc := make(chan error, 1)
	go func() { errc <- r.Run(t.Context()) }()
	gpid, _ := strconv.Atoi(r.out.waitLine(t, isPID))
	killLater(t, gpid)
	pid := waitPID(t, r.Supervisor)
	syscall.Kill(pid, syscall.SIGKILL) // the child only, not its group
	var ee *ExitError
	if err := waitErr(t, errc); !errors.As(err, &ee) || ee.Exit.Signal != "SIGKILL" {
		t.Fatalf("Run = %v, want an ExitError for SIGKILL", err)
	}
	waitGone(t, gpid)
}

// TestRealDrainBackstop: a process outside the child's tree keeps the
// pipes open; Run still returns once the drain timeout cuts the output off.
// On Linux that process is the test itself, which opens the child's stdout
// through /proc (a grandchild, however detached, dies with the tree there),
// and wake has ended the pumps by then; elsewhere it is a grandchild in a
// process group of its own, and the pumps end when it does.
func TestRealDrainBackstop(t *testing.T) {
	name, args := "grandchild", []string{"detach"}
	if runtime.GOOS == "linux" {
		name, args = "hang", []string{"ready"}
	}
	r := newReal(t, name, args, nil)
	r.Supervisor.start = (&spawner{opts: r.opts, drain: 200 * time.Millisecond, main: true}).start
	errc := make(chan error, 1)
	go func() { errc <- r.Run(t.Context()) }()
	outsider := r.out.waitLine(t, func(l string) bool { return l == "ready" || isPID(l) })
	pid := waitPID(t, r.Supervisor)
	if runtime.GOOS == "linux" {
		f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/1", pid), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
	} else {
		gpid, _ := strconv.Atoi(outsider)
		killLater(t, gpid)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	var ee *ExitError
	if err := waitErr(t, errc); !errors.As(err, &ee) {
		t.Fatalf("Run = %v, want an ExitError", err)
	}
	r.log.mustLog(t, "level=WARN", "child output still open after exit", "after=200ms")
	if runtime.GOOS == "linux" {
		// The outsider holding the pipe is this test process: named.
		r.log.mustLog(t, "child output still open after exit", fmt.Sprintf("held_by=\"%d (", os.Getpid()))
		for _, s := range []*sink{r.out, r.err} {
			select {
			case <-s.ended:
			default:
				t.Error("a pump still runs after Run returned: wake did not end its read")
			}
		}
		r.log.mustNotLog(t, "leaving its reader behind")
		return
	}
	gpid, _ := strconv.Atoi(outsider)
	if gone(gpid) {
		t.Fatal("the detached grandchild died: the test proves nothing")
	}
	syscall.Kill(gpid, syscall.SIGKILL)
	for _, s := range []*sink{r.out, r.err} {
		select {
		case <-s.ended:
		case <-time.After(waitLimit):
			t.Fatalf("a pump still runs %v after the grandchild was killed", waitLimit)
		}
	}
}

// TestOutputPipe: both ends are blocking descriptors, out of the child's
// reach after exec (close-on-exec) and out of Go's poller, and carry data.
func TestOutputPipe(t *testing.T) {
	r, w := testOutputPipe(t)
	for _, f := range []*os.File{r, w} {
		fl, fd := fcntl(t, f, unix.F_GETFL), fcntl(t, f, unix.F_GETFD)
		if fl&unix.O_NONBLOCK != 0 {
			t.Errorf("%s: O_NONBLOCK set: reads would go through the poller", f.Name())
		}
		if fd&unix.FD_CLOEXEC == 0 {
			t.Errorf("%s: FD_CLOEXEC not set: every child would inherit it", f.Name())
		}
	}
	if _, err := w.Write([]byte("line\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := r.Read(buf); err != nil || string(buf[:n]) != "line\n" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
}

// fcntl returns fcntl(f, cmd, 0), failing the test on an error.
func fcntl(t *testing.T, f *os.File, cmd int) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if cerr := rc.Control(func(fd uintptr) { v, err = unix.FcntlInt(fd, cmd, 0) }); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatalf("fcntl %s: %v", f.Name(), err)
	}
	return v
}

// testOutputPipe returns a new output pipe, closed when the test ends.
func testOutputPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := outputPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}
