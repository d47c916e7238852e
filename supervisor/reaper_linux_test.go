package supervisor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() {
	testHelpers = append(testHelpers, "supervise-tree")
	fakechild.Register("supervise-tree", superviseTreeHelper)
}

// superviseTreeHelper supervises a "grandchild" child in a process of its
// own and prints "<child pid> <grandchild pid>" once both run.
func superviseTreeHelper([]string) int { return superviseInHelper("grandchild", nil, isPID) }

// startGroup starts a "grandchild" helper as the leader of a process group
// of its own, as the supervisor starts children, and returns it with the
// pid of the grandchild in its group.
func startGroup(t *testing.T) (*exec.Cmd, int) {
	t.Helper()
	cmd, sc := fakechild.StartGroup(t, "grandchild")
	if !sc.Scan() {
		t.Fatalf("grandchild helper printed nothing: %v", sc.Err())
	}
	gpid, err := strconv.Atoi(sc.Text())
	if err != nil {
		t.Fatalf("grandchild helper printed %q", sc.Text())
	}
	killLater(t, gpid)
	return cmd, gpid
}

// TestReaperKillsGroupAtEOF: when the write end closes, as it does when the
// wrapper dies, the watchdog kills the whole group and exits 0 (its kill
// succeeded).
func TestReaperKillsGroupAtEOF(t *testing.T) {
	leader, gpid := startGroup(t)
	r, err := startReaper(leader.Process.Pid, nil)
	if err != nil || r == nil {
		t.Fatalf("startReaper = %v, %v", r, err)
	}
	r.w.Close() // what the kernel does when the wrapper dies
	if err := r.cmd.Wait(); err != nil {
		t.Fatalf("watchdog: %v (want exit 0: its kill reached the group)", err)
	}
	leader.Wait()
	if ws := leader.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("group leader ended %v, want killed by SIGKILL", leader.ProcessState)
	}
	waitGone(t, gpid)
}

// TestReaperStopDisarms: stop kills the watchdog without it touching the
// group, and releases the pipe.
func TestReaperStopDisarms(t *testing.T) {
	leader, gpid := startGroup(t)
	pgid := leader.Process.Pid
	r, err := startReaper(pgid, nil)
	if err != nil || r == nil {
		t.Fatalf("startReaper = %v, %v", r, err)
	}
	r.stop()
	<-r.stopped
	ws := r.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("watchdog ended %v, want killed by stop", r.cmd.ProcessState)
	}
	if err := syscall.Kill(-pgid, 0); err != nil {
		t.Fatalf("group %d after stop: %v, want alive", pgid, err)
	}
	if gone(gpid) {
		t.Fatalf("grandchild %d gone after stop", gpid)
	}
	if err := r.w.Close(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("write end after stop: Close = %v, want already closed", err)
	}
	var nilReaper *reaper
	nilReaper.stop() // no reaper: no-op
}

// TestReaperMissingShell: without the shell the child runs unguarded, the
// first reap reports it and later ones do not.
func TestReaperMissingShell(t *testing.T) {
	defer func(sh string, warned bool) {
		reaperShell = sh
		reaperUnavailable.Store(warned)
	}(reaperShell, reaperUnavailable.Load())
	reaperShell = "/nonexistent/sh"
	reaperUnavailable.Store(false)
	leader, gpid := startGroup(t)
	first, err := hold(leader, nil, false)
	if err != nil || first.reaper != nil {
		t.Fatalf("hold = %+v, %v; want a tree without reaper", first, err)
	}
	second, _ := hold(leader, nil, false)
	err = first.reap(waitLimit)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "reaper unavailable") {
		t.Fatalf("first reap = %v, want the missing shell reported", err)
	}
	if err := second.reap(waitLimit); err != nil {
		t.Fatalf("second reap = %v, want the warning given once only", err)
	}
	waitGone(t, gpid) // reap still killed the group
}

// TestRealWrapperKilledTakesGrandchild: a supervising process SIGKILLed
// runs no stop ladder; Pdeathsig takes its child and the watchdog the
// grandchild in the child's group (its cgroup in ContainCgroup mode).
func TestRealWrapperKilledTakesGrandchild(t *testing.T) {
	for _, mode := range containModes(t) {
		t.Run(string(mode), func(t *testing.T) {
			inMode(t, mode)
			cmd, l := startFirstLine(t, "supervise-tree")
			var pid, gpid int
			if n, _ := fmt.Sscanf(l, "%d %d", &pid, &gpid); n != 2 {
				t.Fatalf("supervise-tree printed %q", l)
			}
			killLater(t, pid)
			killLater(t, gpid)
			if gone(pid) || gone(gpid) {
				t.Fatalf("child %d or grandchild %d not running before the kill", pid, gpid)
			}
			cmd.Process.Kill() // SIGKILL: no stop ladder runs
			cmd.Wait()
			waitGone(t, pid)
			waitGone(t, gpid)
		})
	}
}

// TestReaperKillsCgroupAtEOF: the watchdog of a tree with a cgroup kills
// the cgroup, escapees included, when the write end closes.
func TestReaperKillsCgroupAtEOF(t *testing.T) {
	parent, err := cgroupParent()
	if err != nil {
		t.Skipf("no cgroup containment here: %v", err)
	}
	cmd, gpid, cg := escapeInto(t, parent)
	r, err := startReaper(cmd.Process.Pid, cg)
	if err != nil || r == nil {
		t.Fatalf("startReaper = %v, %v", r, err)
	}
	r.w.Close() // what the kernel does when the wrapper dies
	if err := r.cmd.Wait(); err != nil {
		t.Fatalf("watchdog: %v (want exit 0: its write reached cgroup.kill)", err)
	}
	cmd.Wait()
	waitGone(t, gpid)
	if err := cg.waitEmpty(waitLimit); err != nil {
		t.Fatal(err)
	}
	if err := cg.remove(); err != nil {
		t.Fatal(err)
	}
}

// TestCgroupsWatchdogKillsEveryCgroupAtEOF: the shared watchdog's script
// kills every cgroup with its prefix, escapees included, when the write
// end closes, and leaves others alone.
func TestCgroupsWatchdogKillsEveryCgroupAtEOF(t *testing.T) {
	parent, err := cgroupParent()
	if err != nil {
		t.Skipf("no cgroup containment here: %v", err)
	}
	prefix := filepath.Join(parent, fmt.Sprintf("%s%d-", cgroupPrefix, os.Getpid()))
	var escapees []int
	for range 2 {
		cmd, gpid, cg := escapeInto(t, parent)
		escapees = append(escapees, gpid)
		defer func() { cmd.Wait(); cg.waitEmpty(waitLimit); cg.remove() }()
	}
	r, err := startWatchdog(cgroupsScript, prefix)
	if err != nil || r == nil {
		t.Fatalf("startWatchdog = %v, %v", r, err)
	}
	r.w.Close() // what the kernel does when the wrapper dies
	if err := r.cmd.Wait(); err != nil {
		t.Fatalf("watchdog: %v (want exit 0: its writes reached cgroup.kill)", err)
	}
	for _, gpid := range escapees {
		waitGone(t, gpid)
	}
}

// escapeInto starts the grandchild setsid helper in a new cgroup below
// parent and returns it, its escaped grandchild's pid and the cgroup.
func escapeInto(t *testing.T, parent string) (*exec.Cmd, int, *cgroup) {
	t.Helper()
	cg, err := makeCgroup(parent)
	if err != nil {
		t.Fatal(err)
	}
	path, argv, env := fakechild.Command(t, "grandchild", "setsid")
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	cg.into(cmd.SysProcAttr)
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	cg.started()
	if err != nil {
		t.Fatal(err)
	}
	killLater(t, cmd.Process.Pid)
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatalf("no grandchild pid: %v", sc.Err())
	}
	gpid, _ := strconv.Atoi(sc.Text())
	killLater(t, gpid)
	mustEscape(t, cmd.Process.Pid, gpid)
	return cmd, gpid, cg
}

// TestOneWatchdogPerRun: in ContainCgroup mode a Run starts one watchdog,
// the shared one, and keeps it across restarts: no shell is forked on the
// path of a restart.
func TestOneWatchdogPerRun(t *testing.T) {
	if containModes(t)[0] != ContainCgroup {
		t.Skip("no cgroup containment here")
	}
	r := newReal(t, "exit", []string{"0"}, func(o *Options) {
		o.Containment = ContainCgroup
		o.Restart = RestartOptions{Policy: Always}
	})
	stop := r.background(t)
	defer stop()
	first := waitWatchdogs(t, r.Supervisor, 1)
	later := waitWatchdogs(t, r.Supervisor, 20)
	if len(first) != 1 || len(later) != 1 || first[0] != later[0] {
		t.Fatalf("watchdogs %v after the first restart, %v after twenty: want the same single one", first, later)
	}
}

// waitWatchdogs waits until s has restarted its child n times, then
// returns this process's children that run a cgroup watchdog (pid and
// script), in pid order.
func waitWatchdogs(t *testing.T, s *Supervisor, n int) []string {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for s.Status().Restarts < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d restarts after %v", n, waitLimit)
		}
		time.Sleep(time.Millisecond)
	}
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range procs {
		b, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(stat), "cmdline"))
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 2 && strings.Contains(args[2], "cgroup.kill") {
			out = append(out, filepath.Base(filepath.Dir(stat))+" "+args[2])
		}
	}
	return out
}
