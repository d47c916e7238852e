//go:build unix

package logrotate

import (
	"bytes"
	"log/slog"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRotationFailureWritesOnAndRecovers makes rotation impossible while
// writes still work: the directory is marked immutable (chattr +i), which
// stops renames and creations even for root, but not writes into an
// existing file. Skipped where chattr or the attribute is unavailable.
func TestRotationFailureWritesOnAndRecovers(t *testing.T) {
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		t.Skip("chattr not installed: cannot make a directory immutable")
	}
	dir := filepath.Join(t.TempDir(), "logs")
	path := filepath.Join(dir, "app.log")
	rec := &recorder{}
	f := openT(t, Options{Path: path, MaxSize: 1024, Logger: slog.New(rec)})
	f.mu.Lock()
	f.retryEvery = 0 // retry at every write that does not fit
	f.mu.Unlock()
	if out, err := exec.Command(chattr, "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("chattr +i not supported on this file system: %v: %s", err, out)
	}
	unlock := func() {
		if out, err := exec.Command(chattr, "-i", dir).CombinedOutput(); err != nil {
			t.Errorf("chattr -i: %v: %s", err, out)
		}
	}
	t.Cleanup(func() { _ = exec.Command(chattr, "-i", dir).Run() })

	stuck := lines("s", 0, 100) // about 4 KiB: several rotations due
	for i := range 100 {
		if _, err := f.Write([]byte(line("s", i))); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
	if got := readOrEmpty(path); !bytes.Equal(got, stuck) {
		t.Fatalf("with rotation failing the current file holds %d bytes, want all %d written", len(got), len(stuck))
	}
	unlock()
	if _, err := f.Write([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	files := readLogs(t, path)
	if len(files) != 2 || !bytes.Equal(files[0].data, stuck) || string(files[1].data) != "after\n" {
		t.Errorf("want one backup with everything written meanwhile and a new file; got %d files", len(files))
	}
	if f.Dropped() != 0 {
		t.Errorf("Dropped = %d, want 0: rotation failures lose nothing", f.Dropped())
	}
	recs := rec.records()
	if len(recs) != 2 || recs[0].Level != slog.LevelWarn || recs[1].Level != slog.LevelInfo {
		t.Fatalf("log records %v, want one rotation failure and one recovery", recs)
	}
}
