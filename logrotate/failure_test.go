package logrotate

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// skipOnWindows skips tests that delete or rename the open log file or its
// directory. Files opened through os.Root on Windows carry
// FILE_SHARE_DELETE, so there too the file can be renamed or deleted while
// open (checkLocked handles it); but a directory holding an open file
// cannot be removed, and these tests have not been run on Windows.
func skipOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot delete or rename a file open for writing; the case does not arise there")
	}
}

// checkAlways makes every write verify that the path still names the open
// file, instead of once per checkInterval, so that tests need not wait.
func checkAlways(f *File) {
	f.mu.Lock()
	f.checkEvery = 0
	f.mu.Unlock()
}

// TestWriteFailureDropsAndResumes makes the log directory unusable while a
// pump runs. Permission bits do not stop root (these tests run as root), so
// the directory is replaced by a regular file: every open below it then
// fails with ENOTDIR, whoever runs the test.
func TestWriteFailureDropsAndResumes(t *testing.T) {
	skipOnWindows(t)
	dir := filepath.Join(t.TempDir(), "logs")
	path := filepath.Join(dir, "app.log")
	rec := &recorder{}
	f := openT(t, Options{Path: path, Logger: slog.New(rec)})
	checkAlways(f)
	p := startPump(t, f)

	a := lines("a", 0, 10)
	writeChunks(t, p.pw, a, 11)
	waitFor(t, "the first lines to reach the file", func() bool { return bytes.Equal(readOrEmpty(path), a) })

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("in the way\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Far more than a pipe holds: the writer would block if the pump
	// stopped draining.
	b := lines("b", 0, 5000)
	writeChunks(t, p.pw, b, 12)
	waitFor(t, "every byte written to count as dropped", func() bool { return f.Dropped() == int64(len(b)) })
	if err := f.Rotate(); err == nil {
		t.Errorf("Rotate succeeded with the directory replaced by a file")
	}

	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	c := lines("c", 0, 100)
	writeChunks(t, p.pw, c, 13)
	p.finish(t)

	if got := readOrEmpty(path); !bytes.Equal(got, c) {
		t.Errorf("after recovery the file holds %d bytes, want exactly the %d written since", len(got), len(c))
	}
	if d := f.Dropped(); d != int64(len(b)) {
		t.Errorf("Dropped = %d, want %d", d, len(b))
	}
	recs := rec.records()
	if len(recs) != 2 {
		t.Fatalf("%d log records, want one failure and one recovery: %v", len(recs), recs)
	}
	if recs[0].Level != slog.LevelError || attr(recs[0], "err").Any() == nil {
		t.Errorf("first record %v, want an error with err", recs[0])
	}
	if recs[1].Level != slog.LevelInfo || attr(recs[1], "dropped_bytes").Int64() != int64(len(b)) {
		t.Errorf("second record %v, want the recovery with dropped_bytes=%d", recs[1], len(b))
	}
}

// TestPathGoneWhileOpen covers the Unix cases where writes to the open
// file would succeed but land where nobody reads them.
func TestPathGoneWhileOpen(t *testing.T) {
	skipOnWindows(t)
	tests := []struct {
		name   string
		remove func(dir, path string) error
		old    string // where the first lines must remain, if anywhere
	}{
		{"directory removed", func(dir, _ string) error { return os.RemoveAll(dir) }, ""},
		{"file removed", func(_, path string) error { return os.Remove(path) }, ""},
		{"file renamed away", func(_, path string) error { return os.Rename(path, path+".old") }, ".old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "logs")
			path := filepath.Join(dir, "app.log")
			rec := &recorder{}
			f := openT(t, Options{Path: path, Logger: slog.New(rec)})
			checkAlways(f)
			p := startPump(t, f)
			a := lines("a", 0, 10)
			writeChunks(t, p.pw, a, 14)
			waitFor(t, "the first lines to reach the file", func() bool { return bytes.Equal(readOrEmpty(path), a) })
			if err := tt.remove(dir, path); err != nil {
				t.Fatal(err)
			}
			b := lines("b", 0, 100)
			writeChunks(t, p.pw, b, 15)
			p.finish(t)
			if got := readOrEmpty(path); !bytes.Equal(got, b) {
				t.Errorf("new file holds %q, want the lines written after the change", got)
			}
			if tt.old != "" && !bytes.Equal(readOrEmpty(path+tt.old), a) {
				t.Errorf("renamed file lost its lines")
			}
			if f.Dropped() != 0 || len(rec.records()) != 0 {
				t.Errorf("Dropped = %d, %d log records; want none", f.Dropped(), len(rec.records()))
			}
		})
	}
}
