//go:build faults && linux

package wrapper

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// selfCPU waits for process pid (a child of this process) to exit without
// reaping it, and returns the CPU time it used itself, children excluded:
// utime + stime of its zombie's /proc stat. (The rusage that wait returns
// would include the children it reaped.)
func selfCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatalf("waitid: %v", err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.Atoi(f[11]) // field 14, counted from the state (field 3)
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// TestFaultCrashLoop: a child that exits 1 at once, 1000 times in a row,
// with restart delay 4ms doubling to a 16ms cap. The circuit breaker trips
// at exactly max_failures (1000 starts, exit code 4); every delay logged is
// the configured backoff within its ±20 % jitter; and the wrapper's own CPU
// time stays low: at most a third of its lifetime, most of which is the
// backoff. A wait that spins, or costly work at each restart, shows as a
// share of the time the wrapper runs on any machine; a bound in
// milliseconds per restart would follow the machine's cost of a fork and a
// page fault instead (docs/performance.md, "The machine matters").
func TestFaultCrashLoop(t *testing.T) {
	const (
		n        = 1000
		delay    = 4 * time.Millisecond
		maxDelay = 16 * time.Millisecond
	)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "exit", []string{"1", "started"},
		fmt.Sprintf("restart: {policy: on-failure, delay: %v, max_delay: %v, max_failures: %d}\n", delay, maxDelay, n)))
	start := time.Now()
	w := startFaultWrapper(t, cfg)
	cpu := selfCPU(t, w.cmd.Process.Pid)
	lifetime := time.Since(start)
	if code := w.wait(t); code != ExitGaveUp {
		t.Fatalf("exit %d, want %d (gave up); stderr:\n%s", code, ExitGaveUp, tail(w.stderr.String()))
	}
	if got := strings.Count(readLog(t, dir, "svc.out.log"), "started\n"); got != n {
		t.Errorf("child ran %d times, want %d", got, n)
	}
	log := readLog(t, dir, "svc.wrapper.log")
	if !strings.Contains(log, fmt.Sprintf("failures=%d", n)) || !strings.Contains(log, "giving up") {
		t.Errorf("wrapper log lacks the breaker trip after %d failures:\n%s", n, tail(log))
	}
	delays := regexp.MustCompile(`msg=restarting .*? in=(\S+) .*failures=(\d+)`).FindAllStringSubmatch(log, -1)
	if len(delays) != n-1 {
		t.Errorf("%d restarts logged, want %d", len(delays), n-1)
	}
	for _, m := range delays {
		d, err := time.ParseDuration(m[1])
		failures, _ := strconv.Atoi(m[2])
		base := min(delay<<min(failures-1, 2), maxDelay)
		if err != nil || d < base*8/10 || d > min(base*12/10, maxDelay) {
			t.Errorf("restart after %d failures in %s, want %v ±20%% capped at %v", failures, m[1], base, maxDelay)
			break
		}
	}
	if cpu > lifetime/3 {
		t.Errorf("wrapper used %v of CPU in %v for %d restarts, want at most a third", cpu, lifetime.Round(time.Millisecond), n)
	}
	t.Logf("wrapper CPU for %d restarts: %v in %v", n, cpu, lifetime.Round(time.Millisecond))
}
