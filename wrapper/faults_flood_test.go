//go:build faults && linux

package wrapper

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// streamCheck follows one stream of flood lines across files: lines must be
// whole, runs must not go back, and within a run numbers must follow each
// other from 1.
type streamCheck struct {
	t     *testing.T
	s     byte
	run   int         // run of the last line
	next  int         // number expected next in that run
	count map[int]int // lines per run
	bad   int
}

func newStreamCheck(t *testing.T, s byte) *streamCheck {
	return &streamCheck{t: t, s: s, count: map[int]int{}}
}

func (c *streamCheck) errorf(format string, args ...any) {
	c.bad++
	if c.bad <= 10 {
		c.t.Errorf(format, args...)
	}
}

func (c *streamCheck) line(file string, line []byte) {
	r, err1 := strconv.Atoi(string(line[1:min(4, len(line))]))
	n, err2 := strconv.Atoi(string(line[min(7, len(line)):min(16, len(line))]))
	if len(line) != floodLine || err1 != nil || err2 != nil || string(line) != floodText(r, c.s, n) {
		c.errorf("%s: not a whole %c line: %q", file, c.s, line)
		return
	}
	switch {
	case r < c.run:
		c.errorf("%s: run %d line %d after run %d", file, r, n, c.run)
		return
	case r > c.run:
		c.run, c.next = r, 1
	}
	if n != c.next {
		c.errorf("%s: run %d: line %d, want %d (lost or duplicated lines)", file, r, n, c.next)
	}
	c.next = n + 1
	c.count[r]++
}

// TestFaultFloodCrashesRotations: 200 MB through stdout and stderr at once
// while the log rotates at 4 MB and the child crashes ten times in the
// middle (exit 1 as soon as its stdout share is written, whatever its
// stderr is doing): every line arrives whole, each stream in order, stdout
// complete in every run, stderr a gap-free prefix in the crashed runs and
// complete in the last.
func TestFaultFloodCrashesRotations(t *testing.T) {
	const crashes, total = 10, 2_000_000 // 100-byte lines: 200 MB
	per := total / 2 / (crashes + 1)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "fault-flood", []string{dir, strconv.Itoa(per), strconv.Itoa(crashes)},
		"restart: {policy: on-failure, delay: 0s, max_failures: 0}\nlog: {max_size: 4MB, max_files: 0}\n"))
	w := startFaultWrapper(t, cfg)
	if code := w.wait(t); code != ExitOK {
		t.Fatalf("wrapper exit %d, want 0; stderr:\n%s", code, tail(w.stderr.String()))
	}
	if n := strings.Count(readLog(t, dir, "svc.wrapper.log"), "code=1"); n != crashes {
		t.Errorf("%d crashes logged, want %d", n, crashes)
	}
	rotations := 0
	for _, s := range []struct {
		c    byte
		name string
	}{{'o', "svc.out.log"}, {'e', "svc.err.log"}} {
		c := newStreamCheck(t, s.c)
		rotations += readLines(t, filepath.Join(dir, "logs", s.name), c.line) - 1
		for r := 1; r <= crashes+1; r++ {
			complete := s.c == 'o' || r == crashes+1
			if got := c.count[r]; got > per || (complete && got != per) {
				t.Errorf("%s run %d: %d lines, want %d", s.name, r, got, per)
			}
		}
	}
	if rotations < 20 {
		t.Errorf("%d rotations, want at least 20", rotations)
	}
	t.Logf("%d rotations", rotations)
}

// procGone reports whether pid no longer runs; a zombie counts as gone.
func procGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// TestFaultWrapperKilledMidFlood: the wrapper is SIGKILLed while its child
// floods stdout. Neither the child (parent-death signal) nor the grandchild
// in its group (the reaper) survives. A new wrapper on the same
// configuration appends to the same log.
//
// What the cut may cost, exactly: the end of the first run, i.e. whatever
// was still in the pipe or in the wrapper's buffer, and at most one line
// cut short where the kill interrupted the wrapper's write (a write to a
// file stops between pages on SIGKILL), which must still end with a
// newline. What it may not: the first run's lines are otherwise whole and
// numbered 1..k without gap or duplicate, and the second run's 1000 lines
// follow, whole and complete. TestFaultAppendAfterCut makes the cut line
// deterministic.
func TestFaultWrapperKilledMidFlood(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "fault-forever", []string{dir, "1000"},
		"restart: {policy: on-failure, delay: 0s}\nlog: {max_size: 1MB, max_files: 0}\n"))
	w := startFaultWrapper(t, cfg)
	pids := waitFile(t, "the child's pids", filepath.Join(dir, "pids"), func(s string) bool { return s != "" })
	var child, grand int
	if _, err := fmt.Sscan(pids, &child, &grand); err != nil {
		t.Fatalf("pids %q: %v", pids, err)
	}
	t.Cleanup(func() { syscall.Kill(child, syscall.SIGKILL); syscall.Kill(grand, syscall.SIGKILL) })
	out := filepath.Join(dir, "logs", "svc.out.log")
	waitFor(t, "two rotations mid-flood", func() bool { return len(logSet(t, out)) >= 3 })
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w.wait(t)
	waitFor(t, "child and grandchild gone", func() bool { return procGone(child) && procGone(grand) })

	w = startFaultWrapper(t, cfg)
	if code := w.wait(t); code != ExitOK {
		t.Fatalf("second wrapper exit %d; stderr:\n%s", code, tail(w.stderr.String()))
	}
	c := newStreamCheck(t, 'o')
	cut := 0
	readLines(t, out, func(file string, line []byte) {
		// The one line the kill may have cut in the middle of its write: a
		// prefix of the line due next, terminated before the next run's.
		want := floodText(1, 'o', c.next)
		if c.run == 1 && cut == 0 && len(line) < len(want) && line[len(line)-1] == '\n' &&
			strings.HasPrefix(want, string(line[:len(line)-1])) {
			cut++
			return
		}
		c.line(file, line)
	})
	if c.count[1] == 0 || c.count[2] != 1000 || len(c.count) != 2 {
		t.Errorf("lines per run %v, want some of run 1, then 1000 of run 2", c.count)
	}
	t.Logf("first run: %d lines kept before the cut", c.count[1])
}

// TestFaultAppendAfterCut: a wrapper killed in the middle of a write leaves
// a last line without its newline; the next wrapper must not glue its first
// line onto it.
func TestFaultAppendAfterCut(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "echo", []string{"next run"}, "restart: {policy: never}\n"))
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "logs"), "svc.out.log", "whole line\ncut in the mid")
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if got, want := readLog(t, dir, "svc.out.log"), "whole line\ncut in the mid\nnext run\n"; got != want {
		t.Fatalf("log after the cut = %q, want %q", got, want)
	}
}
