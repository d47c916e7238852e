package supervisor

import (
	"context"
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
	testHelpers = append(testHelpers, "grandchild", "sched-unprivileged")
	fakechild.Register("sched-unprivileged", schedUnprivilegedHelper)
}

// statField returns field n (1-based, as proc(5) numbers them) of
// /proc/<pid>[/task/<tid>]/stat.
func statField(t *testing.T, path string, n int) string {
	t.Helper()
	stat, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The command name (field 2) may hold spaces; it ends at the last ')'.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return f[n-3]
}

// niceOf returns a process's nice value from /proc.
func niceOf(t *testing.T, pid int) string {
	return statField(t, fmt.Sprintf("/proc/%d/stat", pid), 19)
}

// startTree supervises the "grandchild" helper with edit applied and
// returns the child's and the grandchild's pids and the stop function.
func startTree(t *testing.T, edit func(*Options)) (r *real, pid, gpid int, stop func() error) {
	t.Helper()
	r = newReal(t, "grandchild", nil, edit)
	stop = r.background(t)
	gpid, _ = strconv.Atoi(r.out.waitLine(t, isPID))
	killLater(t, gpid)
	return r, waitPID(t, r.Supervisor), gpid, stop
}

// TestRealSchedTree: the child starts with the priority's nice value and
// the affinity's CPUs, its grandchild inherits both, and no thread of the
// wrapper keeps them (as root, the thread that forked gets its own back).
func TestRealSchedTree(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("raising a priority needs root")
	}
	// One CPU of those the test may use, the last: on a machine with more
	// than one, a set that differs from the inherited one.
	own := fakechild.ProcStatus(t, os.Getpid(), "Cpus_allowed_list")
	cpus := parseList(t, own)
	last := cpus[len(cpus)-1]
	if len(cpus) < 2 {
		t.Logf("one CPU only (%s): the affinity is exercised but cannot differ from the inherited one", own)
	}
	for _, p := range priorities {
		t.Run(string(p), func(t *testing.T) {
			r, pid, gpid, stop := startTree(t, func(o *Options) {
				o.Priority, o.Affinity = p, []int{last, 5000} // 5000 does not exist: left out
			})
			for _, id := range []int{pid, gpid} {
				if got, want := niceOf(t, id), strconv.Itoa(niceValues[p]); got != want {
					t.Errorf("process %d: nice %s, want %s", id, got, want)
				}
				if got, want := fakechild.ProcStatus(t, id, "Cpus_allowed_list"), strconv.Itoa(last); got != want {
					t.Errorf("process %d: CPUs %s, want %s", id, got, want)
				}
			}
			checkThreads(t, own)
			r.log.mustLog(t, "child started", "priority="+string(p)+" affinity="+strconv.Itoa(last)+",5000")
			if err := stop(); err != nil {
				t.Fatalf("Run = %v", err)
			}
		})
	}
}

// checkThreads fails the test when a thread of this process runs with
// another nice value than the process's or CPUs other than cpus.
func checkThreads(t *testing.T, cpus string) {
	t.Helper()
	own := niceOf(t, os.Getpid())
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		dir := filepath.Join("/proc/self/task", task.Name())
		stat, err := os.ReadFile(filepath.Join(dir, "status"))
		if err != nil {
			continue // the thread ended
		}
		if nice := statField(t, filepath.Join(dir, "stat"), 19); nice != own ||
			!strings.Contains(string(stat), "Cpus_allowed_list:\t"+cpus+"\n") {
			t.Errorf("thread %s of the wrapper: nice %s, status\n%s", task.Name(), nice, stat)
		}
	}
}

// parseList reads a Cpus_allowed_list ("0-3,8").
func parseList(t *testing.T, s string) []int {
	t.Helper()
	var cpus []int
	for item := range strings.SplitSeq(s, ",") {
		a, b, isRange := strings.Cut(item, "-")
		lo, err := strconv.Atoi(a)
		hi := lo
		if isRange && err == nil {
			hi, err = strconv.Atoi(b)
		}
		if err != nil {
			t.Fatalf("CPU list %q: %v", s, err)
		}
		for c := lo; c <= hi; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus
}

// TestRealAffinityNoCPU: an affinity none of whose CPUs the wrapper may
// use cannot be applied: New fails at once, saying which CPUs there are.
// One that names some is applied with the others left out and a warning.
func TestRealAffinityNoCPU(t *testing.T) {
	own := fakechild.ProcStatus(t, os.Getpid(), "Cpus_allowed_list")
	_, err := New(Options{Path: "true", Affinity: []int{4000, 4001, 4002}})
	want := "affinity 4000-4002: none of these CPUs is available to the wrapper here (it may use " + own + ")"
	if !errors.Is(err, ErrCannotApply) || !strings.Contains(err.Error(), want) {
		t.Errorf("New = %v, want ErrCannotApply and %q", err, want)
	}
	r := newReal(t, "echo", nil, func(o *Options) { o.Affinity = []int{0, 4000} })
	r.log.mustLog(t, "affinity: CPUs 4000 are not available to the wrapper here and are left out")
}

// TestRealUnprivilegedPriority runs a supervisor as nobody: raising the
// priority is refused at New with the reason; lowering it works, and the
// thread that forked, which cannot get its priority back, does not run
// anything else (the helper checks its threads).
func TestRealUnprivilegedPriority(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the supervisor as another user")
	}
	own := niceOf(t, os.Getpid()) // the helper's too
	if n, _ := strconv.Atoi(own); n <= -10 || n >= 19 {
		t.Skipf("the test runs at nice %s: high would be no raise, or idle no change", own)
	}
	path, argv, env := fakechild.Command(t, "sched-unprivileged")
	exe := shareExecutable(t, path)
	cmd := exec.Command(exe, argv...)
	cmd.Env, cmd.Dir = env, filepath.Dir(exe)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	for _, want := range []string{
		"high: true: supervisor options: cannot be applied here: priority high (nice -10): the wrapper runs at nice " + own + " " +
			"and may not raise the priority of what it starts: that needs root or CAP_SYS_NICE\n",
		"idle: child nice 19\n",
		"idle: no thread left at nice 19\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if err != nil || t.Failed() {
		t.Fatalf("helper: %v\n%s", err, out)
	}
}

// schedUnprivilegedHelper is TestRealUnprivilegedPriority's side, run as
// nobody: it reports New's error for high, then supervises its own copy
// as the "grandchild" helper at idle priority, reports the child's nice
// value, and once Run has returned whether a thread other than the main
// one still has it (the main thread ends parked, never unlocked, when the
// child's owner ran on it: it runs nothing else either).
func schedUnprivilegedHelper([]string) int {
	_, err := New(Options{Path: "true", Priority: PriorityHigh})
	fmt.Printf("high: %v: %v\n", errors.Is(err, ErrCannotApply), err)
	path, argv, env, err := fakechild.Spec("hang", "ready")
	out := newSink()
	var s *Supervisor
	if err == nil {
		s, err = New(Options{Path: path, Args: argv, Env: env, Stdout: out, Priority: PriorityIdle,
			Restart: RestartOptions{Policy: Never}})
	}
	if err != nil {
		fmt.Println(err)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	if _, ok := out.wait(equals("ready"), waitLimit); !ok {
		fmt.Println("the child did not start")
		return 2
	}
	pid := 0
	for deadline := time.Now().Add(waitLimit); pid == 0 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		pid = s.Status().PID // the child may print before the loop publishes it
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err == nil {
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		fmt.Printf("idle: child nice %s\n", f[16])
	}
	cancel()
	if err := <-errc; err != nil {
		fmt.Println("Run:", err)
		return 2
	}
	if waitThreads("19", waitLimit) {
		fmt.Println("idle: no thread left at nice 19")
	}
	return 0
}

// shareExecutable copies the test binary, whose folder other users cannot
// read, into a folder of its own that every user may search, and returns
// the copy's path.
func shareExecutable(t *testing.T, path string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wrapper-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "helper")
	if b, err := os.ReadFile(path); err != nil || os.WriteFile(exe, b, 0o755) != nil {
		t.Fatalf("copy the test binary: %v", err)
	}
	return exe
}

// waitThreads polls until no thread of this process but the main one has
// nice value nice, and reports whether that happened within limit.
func waitThreads(nice string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		found := false
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, task := range tasks {
			stat, err := os.ReadFile(filepath.Join("/proc/self/task", task.Name(), "stat"))
			if err != nil || task.Name() == strconv.Itoa(os.Getpid()) {
				continue
			}
			f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
			found = found || f[16] == nice
		}
		if !found {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMayNice: the kernel's rule for a thread's own nice value.
func TestMayNice(t *testing.T) {
	for _, tt := range []struct {
		cur, want int
		cap       bool
		rlim      uint64
		ok        bool
	}{
		{0, 19, false, 0, true},           // lowering the priority: always
		{0, 0, false, 0, true},            // unchanged
		{5, 0, false, 0, false},           // back to 0 from a nice 5: a raise
		{0, -10, false, 0, false},         // raising without a right
		{0, -10, true, 0, true},           // CAP_SYS_NICE
		{0, -10, false, 30, true},         // RLIMIT_NICE 30 allows down to -10
		{0, -10, false, 29, false},        // but 29 only to -9
		{0, -10, false, ^uint64(0), true}, // unlimited
	} {
		if got := mayNice(tt.cur, tt.want, tt.cap, tt.rlim); got != tt.ok {
			t.Errorf("mayNice(%d, %d, %v, %d) = %v, want %v", tt.cur, tt.want, tt.cap, tt.rlim, got, tt.ok)
		}
	}
}
