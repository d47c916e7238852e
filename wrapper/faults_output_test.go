//go:build faults && linux

package wrapper

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// runOnce runs the wrapper in this process until it exits by itself and
// checks its exit code.
func runOnce(t *testing.T, dir, helper string, args []string, extra string, want int) {
	t.Helper()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, helper, args, extra))
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != want {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, want, tail(stderr))
	}
}

// TestFaultOddBytes: every byte value, CR LF, NUL and a last line without
// newline pass through unchanged; only the missing final newline is added.
func TestFaultOddBytes(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, "fault-bytes", nil, "restart: {policy: never}\n", ExitOK)
	if got, want := readLog(t, dir, "svc.out.log"), string(oddBytes())+"\n"; got != want {
		t.Fatalf("log differs from the child's bytes:\n got %q\nwant %q", got, want)
	}
}

// TestFaultHugeLine: a 50 MB line without any newline is cut into pieces of
// at most 1 MiB (the pump's read size), each a line of its own, spread over
// rotated files of at most max_size; together they are the line.
func TestFaultHugeLine(t *testing.T) {
	const n, piece = 50 << 20, 1 << 20
	dir := t.TempDir()
	runOnce(t, dir, "longline", []string{strconv.Itoa(n)}, "restart: {policy: never}\nlog: {max_files: 0}\n", ExitOK)
	total, pieces := 0, 0
	files := readLines(t, filepath.Join(dir, "logs", "svc.out.log"), func(file string, line []byte) {
		body := bytes.TrimSuffix(line, []byte{'\n'})
		if len(body) == len(line) || len(body) > piece || bytes.Count(body, []byte{'x'}) != len(body) {
			t.Fatalf("%s: piece of %d bytes is not 1 byte..1 MiB of x and a newline", file, len(line))
		}
		total += len(body)
		pieces++
	})
	// Cuts fall where reads end, so a piece may be shorter than 1 MiB.
	if total != n || pieces < n/piece || files < 5 {
		t.Fatalf("%d bytes in %d pieces over %d files, want %d bytes in at least %d pieces over >= 5 files",
			total, pieces, files, n, n/piece)
	}
}

// TestFaultChildClosesStdoutEarly: stdout reaches EOF while the child goes
// on writing to stderr; both logs are complete and nothing is reported.
func TestFaultChildClosesStdoutEarly(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, "fault-close-stdout", nil, "restart: {policy: never}\n", ExitOK)
	if got := readLog(t, dir, "svc.out.log"); got != "before close\n" {
		t.Errorf("stdout log %q", got)
	}
	var want strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&want, "err %d\n", i)
	}
	if got := readLog(t, dir, "svc.err.log"); got != want.String() {
		t.Errorf("stderr log: %d bytes, want %d", len(got), want.Len())
	}
	if log := readLog(t, dir, "svc.wrapper.log"); strings.Contains(log, "level=WARN") {
		t.Errorf("warnings:\n%s", log)
	}
}

// TestFaultExitBeforeDrain: five children each write 60 000 bytes (they
// fit in the pipe, so the write returns at once) and exit 1 before the
// wrapper has read them: every line of every run is in the log, in order.
func TestFaultExitBeforeDrain(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, "fault-quick-exit", []string{dir}, "restart: {delay: 0s, max_failures: 5}\n", ExitGaveUp)
	c := newStreamCheck(t, 'o')
	readLines(t, filepath.Join(dir, "logs", "svc.out.log"), c.line)
	for r := 1; r <= 5; r++ {
		if c.count[r] != 600 {
			t.Errorf("run %d: %d lines, want 600", r, c.count[r])
		}
	}
}

// TestFaultOrphanHoldsPipe: the child exits, leaving a grandchild in a
// session of its own (out of reach of the group kill) that holds stdout.
// The supervisor's containment (a cgroup, or the subreaper) kills it with
// the tree: the wrapper finishes without waiting for the 5 s drain timeout
// and the orphan is gone. (A process outside the tree that holds the pipe
// is cut off after the drain timeout: supervisor's TestRealDrainBackstop.)
func TestFaultOrphanHoldsPipe(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, dir, "fault-orphan", nil, "restart: {policy: never}\n", ExitOK)
	out := readLog(t, dir, "svc.out.log")
	m := regexp.MustCompile(`orphan (\d+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("stdout log %q lacks the orphan's pid", out)
	}
	pid, _ := strconv.Atoi(m[1])
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	waitFor(t, "orphan gone", func() bool { return procGone(pid) })
	if log := readLog(t, dir, "svc.wrapper.log"); strings.Contains(log, "child output still open") {
		t.Errorf("the wrapper waited for the orphan's output:\n%s", log)
	}
}
