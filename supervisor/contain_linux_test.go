package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"golang.org/x/sys/unix"
)

func init() {
	testHelpers = append(testHelpers, "orphan", "double-fork", "supervise-escape")
	fakechild.Register("supervise-escape", superviseEscapeHelper)
}

// superviseEscapeHelper supervises helper args[0] with args[1:] (a
// grandchild that escapes the group) and prints "<child pid> <escapee
// pid>" once the escapee's pid and the lines in $escapeReadyEnv
// (comma-separated) have come.
func superviseEscapeHelper(args []string) int {
	ready := []func(string) bool{isPID}
	for l := range strings.SplitSeq(os.Getenv(escapeReadyEnv), ",") {
		if l != "" {
			ready = append(ready, equals(l))
		}
	}
	return superviseInHelper(args[0], args[1:], ready...)
}

const escapeReadyEnv = "WRAPPER_TEST_ESCAPE_READY"

// containModes returns the containment modes this machine can exercise:
// ContainCgroup where the test process may make cgroups, and
// ContainSubreaper always.
func containModes(t *testing.T) []Containment {
	if _, _, err := resolveContainment(ContainCgroup); err != nil {
		t.Logf("cgroup containment not exercised here: %v", err)
		return []Containment{ContainSubreaper}
	}
	return []Containment{ContainCgroup, ContainSubreaper}
}

// inMode makes superviseInHelper use mode, and removes at the end of the
// test the empty cgroups that a killed helper left behind.
func inMode(t *testing.T, mode Containment) {
	t.Setenv(containEnv, string(mode))
	t.Cleanup(func() {
		if dir, err := cgroupParent(); err == nil {
			removeStale(dir)
		}
	})
}

// escapeCase is a child with a descendant that leaves its process group.
type escapeCase struct {
	name   string
	helper string
	args   []string
	lines  []string // printed once the escapee is set (after its pid)
	exits  bool     // the child exits by itself at once; else it is stopped
}

var escapeCases = []escapeCase{
	{name: "setsid", helper: "grandchild", args: []string{"setsid"}},
	{name: "setsid-ignore-term", helper: "grandchild", args: []string{"setsid", "ignore-term"}, lines: []string{"ready"}},
	{name: "double-fork", helper: "double-fork", lines: []string{"orphaned"}},
	{name: "double-fork-ignore-term", helper: "double-fork", args: []string{"ignore-term"},
		lines: []string{"orphaned", "ready"}},
	{name: "orphan", helper: "orphan", exits: true},
}

// TestFaultEscapes: a grandchild in a session of its own, a daemon that
// forked twice, either ignoring SIGTERM, or an orphan left by a child that
// exited: none outlives the child, in every containment mode, and the
// stop takes the child's own time. The stop timeout and the drain timeout
// are an hour: a stop that waited for either would not end within the
// test's limit, and an escapee holding the output would keep Run from
// returning at all.
func TestFaultEscapes(t *testing.T) {
	for _, mode := range containModes(t) {
		for _, c := range escapeCases {
			t.Run(string(mode)+"/"+c.name, func(t *testing.T) { testEscape(t, mode, c) })
		}
	}
}

func testEscape(t *testing.T, mode Containment, c escapeCase) {
	r := newReal(t, c.helper, c.args, func(o *Options) {
		o.Containment = mode
		o.Stop.Timeout = time.Hour
	})
	r.Supervisor.start = (&spawner{opts: r.opts, drain: time.Hour, main: true}).start
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx) }()
	gpid, _ := strconv.Atoi(r.out.waitLine(t, isPID))
	killLater(t, gpid)
	for _, l := range c.lines {
		r.out.waitLine(t, equals(l))
	}
	if !c.exits {
		mustEscape(t, waitPID(t, r.Supervisor), gpid)
		cancel()
	}
	if err := waitErr(t, errc); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	waitGone(t, gpid)
	r.log.mustLog(t, "process tree containment", "mode="+string(mode))
	r.log.mustNotLog(t, "child output still open")
	st := r.Status()
	switch {
	case c.exits && st.LastExit.Code != 0:
		t.Errorf("last exit %+v, want code 0", st.LastExit)
	case !c.exits && st.LastExit.Signal != "SIGTERM":
		t.Errorf("last exit %+v, want SIGTERM: the stop signal ended the child", st.LastExit)
	case !c.exits:
		r.log.mustLog(t, "stopped", "by=signal")
	}
	if mode == ContainSubreaper {
		waitReaped(t, gpid)
	}
}

// mustEscape fails the test unless escapee runs in a session of its own,
// out of the process group of child: otherwise the test proves nothing.
func mustEscape(t *testing.T, child, escapee int) {
	t.Helper()
	sid, err := unix.Getsid(escapee)
	pgid, _ := syscall.Getpgid(escapee)
	if err != nil || sid != escapee || pgid == child {
		t.Fatalf("escapee %d: session %d (%v), group %d; child %d: it has not escaped", escapee, sid, err, pgid, child)
	}
}

// waitReaped waits until pid no longer exists, not even as a zombie: the
// process that adopted it has reaped it.
func waitReaped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("process %d not reaped after %v", pid, waitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFaultWrapperKilledTakesEscapees: a supervising process killed by
// SIGKILL runs no stop ladder; its watchdog kills the child's cgroup, which
// holds the escapees too. (In ContainSubreaper mode the watchdog reaches
// the process group only: an escapee outlives a SIGKILLed wrapper unless
// systemd's unit cgroup or the container's end takes it; see
// docs/linux-service.md.)
func TestFaultWrapperKilledTakesEscapees(t *testing.T) {
	if containModes(t)[0] != ContainCgroup {
		t.Skip("no cgroup containment here")
	}
	for _, c := range escapeCases {
		if c.exits {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			inMode(t, ContainCgroup)
			t.Setenv(escapeReadyEnv, strings.Join(c.lines, ","))
			cmd, l := startFirstLine(t, "supervise-escape", append([]string{c.helper}, c.args...)...)
			var pid, gpid int
			if n, _ := fmt.Sscanf(l, "%d %d", &pid, &gpid); n != 2 {
				t.Fatalf("supervise-escape printed %q", l)
			}
			killLater(t, pid)
			killLater(t, gpid)
			mustEscape(t, pid, gpid)
			cmd.Process.Kill() // SIGKILL: no stop ladder runs
			cmd.Wait()
			waitGone(t, pid)
			waitGone(t, gpid)
		})
	}
}

// TestRealSubreaperAdopts: in ContainSubreaper mode the child's orphans
// become the wrapper's children while the child runs, and the wrapper reaps
// them when they die: none stays a zombie.
func TestRealSubreaperAdopts(t *testing.T) {
	r := newReal(t, "echo", nil, func(o *Options) {
		o.Path, o.Args, o.Env = "/bin/sh", []string{"-c", orphansScript}, nil
		o.Containment = ContainSubreaper
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("started"))
	var pids []int
	for _, l := range r.out.Lines() {
		if pid, err := strconv.Atoi(l); err == nil {
			pids = append(pids, pid)
			killLater(t, pid)
		}
	}
	if len(pids) != 3 {
		t.Fatalf("output %q, want 3 pids", r.out.Lines())
	}
	for _, pid := range pids {
		// The subshell that started it has exited before "started".
		if ppid := parentOf(t, pid); ppid != os.Getpid() {
			t.Fatalf("orphan %d has parent %d, want the wrapper (%d)", pid, ppid, os.Getpid())
		}
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range pids {
		waitReaped(t, pid)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// orphansScript leaves three orphans behind (each subshell exits at once,
// after printing the pid of its background sleep), then runs on.
const orphansScript = `for i in 1 2 3; do ( sleep 1000 & echo $! ); done; echo started; exec sleep 1000`

// parentOf returns pid's parent pid, read from /proc.
func parentOf(t *testing.T, pid int) int {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// TestReapOrphansSparesOwned: a reap pass takes an unowned zombie child
// (an orphan) but never one that someone waits for: an os/exec child (held
// by a pidfd) keeps its exit status for cmd.Wait, a child the supervisor
// registered keeps it for the supervisor.
func TestReapOrphansSparesOwned(t *testing.T) {
	path, argv, env := fakechild.Command(t, "exit", "3")
	owned := exec.Command(path, argv...)
	owned.Env = env
	if err := owned.Start(); err != nil {
		t.Fatal(err)
	}
	if !pidfdHeld()[owned.Process.Pid] {
		t.Skip("os/exec holds no pidfd here (kernel before 5.4): only the registry protects children")
	}
	attr := &syscall.ProcAttr{Env: env}
	reg, err := syscall.ForkExec(path, append([]string{path}, "4"), attr)
	if err != nil {
		t.Fatal(err)
	}
	register(reg)
	defer unregister(reg)
	stray, err := syscall.ForkExec(path, append([]string{path}, "5"), attr)
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{owned.Process.Pid, reg, stray} {
		var info unix.Siginfo // wait for its exit without reaping it
		if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
			t.Fatalf("waitid %d: %v", pid, err)
		}
	}
	reapOrphans()
	if err := owned.Wait(); owned.ProcessState == nil || owned.ProcessState.ExitCode() != 3 {
		t.Errorf("os/exec child: Wait = %v, state %v; want exit 3", err, owned.ProcessState)
	}
	var ws unix.WaitStatus
	if got, err := unix.Wait4(reg, &ws, 0, nil); got != reg || ws.ExitStatus() != 4 {
		t.Errorf("registered child: wait4 = %d, %v, status %v; want exit 4", got, err, ws)
	}
	if _, err := unix.Wait4(stray, &ws, unix.WNOHANG, nil); err != unix.ECHILD {
		t.Errorf("unowned child: wait4 = %v, want ECHILD: the reap pass took it", err)
	}
}
