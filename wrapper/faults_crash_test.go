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
// with restart delay 1ms doubling to a 4ms cap. The circuit breaker trips
// at exactly max_failures (1000 starts, exit code 4); every delay logged is
// the configured backoff within its ±20 % jitter; and the wrapper's own CPU
// time stays low: a generous 5 ms per restart (it measures under 2).
func TestFaultCrashLoop(t *testing.T) {
	const n = 1000
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "exit", []string{"1", "started"},
		fmt.Sprintf("restart: {policy: on-failure, delay: 1ms, max_delay: 4ms, max_failures: %d}\n", n)))
	w := startFaultWrapper(t, cfg)
	cpu := selfCPU(t, w.cmd.Process.Pid)
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
		base := min(time.Millisecond<<min(failures-1, 2), 4*time.Millisecond)
		if err != nil || d < base*8/10 || d > min(base*12/10, 4*time.Millisecond) {
			t.Errorf("restart after %d failures in %s, want %v ±20%% capped at 4ms", failures, m[1], base)
			break
		}
	}
	if limit := n * 5 * time.Millisecond; cpu > limit {
		t.Errorf("wrapper used %v of CPU for %d restarts, want at most %v", cpu, n, limit)
	}
	t.Logf("wrapper CPU for %d restarts: %v", n, cpu)
}
