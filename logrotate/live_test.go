package logrotate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTailKeepsLastLines(t *testing.T) {
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "t.log"), KeepTail: true})
	if got := f.Tail(); len(got) != 0 {
		t.Fatalf("empty file: Tail = %q", got)
	}
	var batch strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&batch, "line %d\r\n", i)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString(batch.String())
		w.WriteString(strings.Repeat("x", 5000) + "\n")
		w.WriteString("partial at exit")
		w.Close()
	}()
	if _, err := f.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	got := f.Tail()
	want := []string{}
	for i := 13; i <= 30; i++ {
		want = append(want, fmt.Sprintf("line %d", i))
	}
	want = append(want, strings.Repeat("x", tailLineMax), "partial at exit")
	if !slices.Equal(got, want) {
		t.Errorf("Tail =\n%q\nwant\n%q", got, want)
	}
}

func TestSetLimitsApplyLive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.log")
	f := openT(t, Options{Path: path, MaxSize: 64 << 10})
	line := strings.Repeat("a", 99) + "\n"
	for range 20 { // 2000 bytes: no rotation at 64 KiB
		f.Write([]byte(line))
	}
	if n := len(backups(t, path)); n != 0 {
		t.Fatalf("%d backups before the change", n)
	}
	if err := f.SetLimits(Limits{MaxSize: 1 << 10, MaxFiles: 2, Timestamps: true}); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		f.Write([]byte(line))
	}
	if n := len(backups(t, path)); n == 0 {
		t.Errorf("after SetLimits(MaxSize 1 KiB): no rotation")
	}
	// Lumberjack prunes in its background goroutine after a rotation: wait
	// for the new MaxFiles to take effect.
	deadline := time.Now().Add(10 * time.Second)
	for len(backups(t, path)) > 2 {
		if time.Now().After(deadline) {
			t.Fatalf("MaxFiles 2 not applied: %d backups", len(backups(t, path)))
		}
		time.Sleep(5 * time.Millisecond)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 1<<10 || !hasStamp(string(b)) {
		t.Errorf("current file (%d bytes) is over 1 KiB or lacks timestamps:\n%.200s", len(b), b)
	}
	if got := f.Tail(); len(got) != 0 {
		t.Errorf("Tail without KeepTail = %q, want nothing", got)
	}
	if err := f.SetLimits(Limits{MaxSize: 10}); err == nil {
		t.Error("SetLimits accepted a MaxSize below the minimum")
	}
}

// hasStamp reports whether every line of s starts with a timestamp.
func hasStamp(s string) bool {
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if len(l) < 24 || l[4] != '-' || l[10] != 'T' {
			return false
		}
	}
	return true
}

// TestOpenTerminatesCutLine: a file whose last line was cut (a wrapper
// SIGKILLed in the middle of a write) gets its '\n' at Open, so the next
// line is not glued to it.
func TestOpenTerminatesCutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.log")
	if err := os.WriteFile(path, []byte("whole\ncut in the midd"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := openT(t, Options{Path: path})
	if _, err := f.Write([]byte("next run\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "whole\ncut in the midd\nnext run\n" {
		t.Errorf("file = %q", b)
	}
}
