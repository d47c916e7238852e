//go:build faults && linux

package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// ticks reads a fault-ticker log: the tick numbers in order, the bytes of
// the ticks missing between the first and the last, and the lines that are
// not ticks (a write cut short by a full disk leaves one).
func ticks(t *testing.T, path string) (nums []int, missingBytes int, bad []string) {
	t.Helper()
	readLines(t, path, func(_ string, line []byte) {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(string(line), "tick "), "\n"))
		if err != nil || !strings.HasPrefix(string(line), "tick ") {
			bad = append(bad, string(line))
			return
		}
		nums = append(nums, n)
	})
	for i := 1; i < len(nums); i++ {
		if nums[i] <= nums[i-1] {
			t.Errorf("%s: tick %d after tick %d", path, nums[i], nums[i-1])
		}
		for k := nums[i-1] + 1; k < nums[i]; k++ {
			missingBytes += len(fmt.Sprintf("tick %d\n", k))
		}
	}
	return nums, missingBytes, bad
}

// lastTick returns the highest tick in a log so far (0 for none).
func lastTick(t *testing.T, path string) int {
	if _, err := os.Stat(path); err != nil {
		return 0 // not (re)created yet
	}
	nums, _, _ := ticks(t, path)
	if len(nums) == 0 {
		return 0
	}
	return nums[len(nums)-1]
}

// liveDropped asks the running wrapper (`wrapper status --json`) how many
// bytes it dropped so far for path.
func liveDropped(t *testing.T, cfg, path string) int64 {
	_, stdout, _ := runMain(t, "status", "--config", cfg, "--json")
	var rep struct {
		Status *struct {
			DroppedBytes map[string]int64 `json:"dropped_bytes"`
		} `json:"status"`
	}
	if json.Unmarshal([]byte(stdout), &rep) != nil || rep.Status == nil {
		return 0
	}
	return rep.Status.DroppedBytes[path]
}

// stopTicker stops the wrapper, checks that it supervised one child all
// along, and returns the bytes its exit record says were dropped for path.
func stopTicker(t *testing.T, w *wrapperProc, dir, path string) int64 {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := w.wait(t); code != ExitOK {
		t.Fatalf("wrapper exit %d; stderr:\n%s", code, tail(w.stderr.String()))
	}
	log := w.stderr.String() // the console copy survives a lost log directory
	if n := strings.Count(log, `msg="child started"`); n != 1 {
		t.Errorf("%d child starts, want 1: the child must keep running", n)
	}
	m := regexp.MustCompile(`msg="log bytes dropped" .*file=` + regexp.QuoteMeta(path) + ` bytes=(\d+)`).FindStringSubmatch(log)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// TestFaultLogDirRemoved: the log directory vanishes under a running
// wrapper. The child keeps running, the directory and file are recreated
// within about a second and the ticks go on there.
func TestFaultLogDirRemoved(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "fault-ticker", nil, ""))
	out := filepath.Join(dir, "logs", "svc.out.log")
	w := startFaultWrapper(t, cfg)
	waitFor(t, "20 ticks", func() bool { return lastTick(t, out) >= 20 })
	if err := os.RemoveAll(filepath.Join(dir, "logs")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ticks in a recreated log", func() bool { return lastTick(t, out) > 0 })
	first := lastTick(t, out)
	waitFor(t, "100 more ticks", func() bool { return lastTick(t, out) >= first+100 })
	stopTicker(t, w, dir, out)
	if nums, missing, bad := ticks(t, out); missing != 0 || len(bad) != 0 || nums[0] <= 20 {
		t.Errorf("recreated log: ticks %d..%d, %d bytes missing, bad lines %q", nums[0], nums[len(nums)-1], missing, bad)
	}
}

// TestFaultLogFileImmutable: the log file is made immutable (chattr +i,
// which binds root too, unlike mode bits), so writes fail with EPERM. The
// child keeps running, the lost bytes are counted exactly (the ticks
// missing from the file) and reported, and writing resumes after chattr -i.
func TestFaultLogFileImmutable(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "fault-ticker", nil, ""))
	out := filepath.Join(dir, "logs", "svc.out.log")
	w := startFaultWrapper(t, cfg)
	waitFor(t, "20 ticks", func() bool { return lastTick(t, out) >= 20 })
	if b, err := exec.Command("chattr", "+i", out).CombinedOutput(); err != nil {
		w.cmd.Process.Kill()
		t.Skipf("chattr +i unavailable here (%v: %s): cannot make a file unwritable for root", err, b)
	}
	undo := func() { exec.Command("chattr", "-i", out).Run() }
	t.Cleanup(undo)
	waitFor(t, "dropped bytes in the live status", func() bool { return liveDropped(t, cfg, out) > 0 })
	frozen := lastTick(t, out)
	undo()
	waitFor(t, "ticks after chattr -i", func() bool { return lastTick(t, out) > frozen })
	dropped := stopTicker(t, w, dir, out)
	nums, missing, bad := ticks(t, out)
	if len(bad) != 0 || missing == 0 || int64(missing) != dropped {
		t.Errorf("ticks %d..%d: %d bytes missing, %d reported dropped (want equal, > 0); bad lines %q",
			nums[0], nums[len(nums)-1], missing, dropped, bad)
	}
}

// TestFaultDiskFull: the log lives on a 1 MiB tmpfs (mounted in a private
// mount namespace: `unshare -m`), which the test fills up from outside
// (through /proc/PID/root) and then frees. The child keeps running, the
// lost bytes are reported, and writing resumes. A write that the full disk
// cut short may leave one partial line; nothing else may be damaged.
func TestFaultDiskFull(t *testing.T) {
	if out, err := exec.Command("unshare", "-m", "true").CombinedOutput(); err != nil {
		t.Skipf("no private mount namespace here (unshare -m: %v: %s): cannot make a small filesystem", err, out)
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(mnt, "out.log")
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "fault-ticker", nil, fmt.Sprintf("log: {stdout: %q}\n", out)))
	w := startFaultWrapper(t, cfg, "unshare", "-m", "--propagation", "private",
		"sh", "-c", `mount -t tmpfs -o size=1m tmpfs "$0" && exec "$@"`, mnt)
	// The tmpfs is visible only in the wrapper's namespace.
	root := fmt.Sprintf("/proc/%d/root", w.cmd.Process.Pid)
	inside := root + out
	waitFor(t, "20 ticks", func() bool { return lastTick(t, inside) >= 20 })
	filler := root + filepath.Join(mnt, "filler")
	fill(t, filler)
	waitFor(t, "dropped bytes in the live status", func() bool { return liveDropped(t, cfg, out) > 0 })
	frozen := lastTick(t, inside)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ticks after space is freed", func() bool { return lastTick(t, inside) > frozen+50 })
	nums, missing, bad := ticks(t, inside) // before the wrapper exits and the tmpfs goes
	dropped := stopTicker(t, w, dir, out)
	if len(bad) > 1 || missing == 0 || dropped == 0 {
		t.Errorf("ticks %d..%d: %d bytes missing, %d reported dropped (want both > 0); bad lines %q",
			nums[0], nums[len(nums)-1], missing, dropped, bad)
	}
}

// fill writes zeros to path until the filesystem is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zeros := make([]byte, 4096)
	for {
		if _, err := f.Write(zeros); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill: %v", err)
			}
			return
		}
	}
}
