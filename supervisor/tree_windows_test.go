package supervisor

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() {
	testHelpers = append(testHelpers, "hang", "grandchild", "interrupt", "ignore-interrupt",
		"window", "in-job", "no-console", "supervise-tree", "console-home")
	fakechild.Register("supervise-tree", superviseTree)
}

// openProc opens pid to wait for its end. The handle keeps the pid from
// naming another process until the test ends; the cleanup kills the
// process, should a failed test have left it running.
func openProc(t *testing.T, pid int) windows.Handle {
	t.Helper()
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_TERMINATE|
		windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		t.Fatalf("open process %d: %v", pid, err)
	}
	t.Cleanup(func() {
		windows.TerminateProcess(h, 1)
		windows.CloseHandle(h)
	})
	return h
}

// running reports whether the process is still running.
func running(h windows.Handle) bool {
	ev, err := windows.WaitForSingleObject(h, 0)
	return err == nil && ev == uint32(windows.WAIT_TIMEOUT)
}

// waitEnded waits for the process to end: an event, not a poll.
func waitEnded(t *testing.T, h windows.Handle, what string) {
	t.Helper()
	ev, err := windows.WaitForSingleObject(h, uint32(waitLimit.Milliseconds()))
	if err != nil || ev != windows.WAIT_OBJECT_0 {
		t.Fatalf("%s still running %v after the stop (wait: %#x, %v)", what, waitLimit, ev, err)
	}
}

// TestWinChildInJobFromItsStart: the child is in a Job Object before it
// runs any code of its own, so nothing it starts can escape the job.
func TestWinChildInJobFromItsStart(t *testing.T) {
	var in int32
	r0, _, err := kernel32.NewProc("IsProcessInJob").Call(uintptr(windows.CurrentProcess()), 0,
		uintptr(unsafe.Pointer(&in)))
	if r0 == 0 {
		t.Fatal(err)
	}
	if in != 0 {
		t.Skip("the test process is in a job itself: its children would be anyway")
	}
	r := newReal(t, "in-job", nil, nil)
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := r.out.String(); got != "in-job=true\n" {
		t.Fatalf("child said %q, want in-job=true", got)
	}
}

// TestWinStopKillsGrandchild: the child dies of Ctrl-C; its grandchild, in a
// process group of its own, ignores Ctrl-C and holds the output pipe, yet it
// is gone when Run returns: the job took it.
func TestWinStopKillsGrandchild(t *testing.T) {
	r := newReal(t, "grandchild", []string{"detach"}, func(o *Options) {
		o.Stop = StopOptions{Timeout: time.Hour}
	})
	r.Supervisor.start = (&spawner{opts: r.opts, drain: time.Hour}).start
	stop := r.background(t)
	gpid, _ := strconv.Atoi(r.out.waitLine(t, isPID))
	g := openProc(t, gpid)
	if !running(g) {
		t.Fatalf("grandchild %d not running before the stop", gpid)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	waitEnded(t, g, "grandchild")
	r.log.mustLog(t, "stopped", "by=ctrl-c")
}

// TestWinChildExitKillsTree: when the child dies by itself, the job's
// leftovers are killed, so a grandchild neither survives nor holds the
// output pipe open. The drain backstop is an hour: only the kill lets Run
// return.
func TestWinChildExitKillsTree(t *testing.T) {
	r := newReal(t, "grandchild", []string{"detach"}, nil)
	r.Supervisor.start = (&spawner{opts: r.opts, drain: time.Hour}).start
	errc := make(chan error, 1)
	go func() { errc <- r.Run(t.Context()) }()
	gpid, _ := strconv.Atoi(r.out.waitLine(t, isPID))
	g := openProc(t, gpid)
	c := openProc(t, waitPID(t, r.Supervisor))
	if err := windows.TerminateProcess(c, 7); err != nil { // the child only
		t.Fatal(err)
	}
	var ee *ExitError
	if err := waitErr(t, errc); !errors.As(err, &ee) || ee.Exit.Code != 7 {
		t.Fatalf("Run = %v, want an ExitError with code 7", err)
	}
	waitEnded(t, g, "grandchild")
	r.log.mustNotLog(t, "level=WARN")
}

// superviseTree supervises a "grandchild detach" child in a process of its
// own and prints "<child pid> <grandchild pid>" once both run.
func superviseTree([]string) int { return superviseInHelper("grandchild", []string{"detach"}, isPID) }

// TestWinWrapperKilledTakesTree: when the process holding the job dies
// without any stop ladder (TerminateProcess), its job handle closes and
// kill-on-close takes the child and the grandchild.
func TestWinWrapperKilledTakesTree(t *testing.T) {
	cmd, l := startFirstLine(t, "supervise-tree")
	var pids []int
	for _, f := range strings.Fields(l) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	if len(pids) != 2 {
		t.Fatalf("supervise-tree printed %q", l)
	}
	c, g := openProc(t, pids[0]), openProc(t, pids[1])
	if !running(c) || !running(g) {
		t.Fatal("child or grandchild not running before the wrapper was killed")
	}
	cmd.Process.Kill() // TerminateProcess: no code of the wrapper runs
	cmd.Wait()
	waitEnded(t, c, "child")
	waitEnded(t, g, "grandchild")
}

// TestWinExitCodesUnsigned: exit codes are DWORDs; NTSTATUS values must not
// come out negative.
func TestWinExitCodesUnsigned(t *testing.T) {
	for _, code := range []uint32{0x80000000, 0xC0000005, 0xFFFFFFFF} {
		t.Run(fmt.Sprintf("%#x", code), func(t *testing.T) {
			r := newReal(t, "exit", []string{strconv.FormatUint(uint64(code), 10)}, nil)
			var ee *ExitError
			if err := r.run(t); !errors.As(err, &ee) || ee.Exit.Code != int(code) {
				t.Fatalf("Run = %v, want an ExitError with code %d", err, code)
			}
			r.log.mustLog(t, "child exited", "code="+strconv.FormatUint(uint64(code), 10))
		})
	}
}

// TestWinJobPIDs: the job lists the child, and the list stops at the count
// Windows reports.
func TestWinJobPIDs(t *testing.T) {
	path, argv, env := fakechild.Command(t, "hang", "ready")
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.SysProcAttr = sysProcAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tr, err := hold(cmd, jobSched{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.kill(); cmd.Wait(); tr.release() })
	if sc := bufio.NewScanner(out); !sc.Scan() || sc.Text() != "ready" {
		t.Fatalf("child did not run after hold: %q %v", sc.Text(), sc.Err())
	}
	// Wine's conhost.exe for the child's console may be in the job too.
	pids, err := jobPIDs(tr.job)
	if err != nil || !slices.Contains(pids, uint32(cmd.Process.Pid)) {
		t.Fatalf("job pids %v (%v), want them to include %d", pids, err, cmd.Process.Pid)
	}
	if unsafe.Offsetof(jobPIDList{}.pids) != 8 {
		t.Fatal("jobPIDList does not match JOBOBJECT_BASIC_PROCESS_ID_LIST")
	}
}
