package logrotate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCompressedBackupsHoldTheLines: after FinishBackups every backup is
// compressed (FinishBackups waited for it) and decompresses to exactly the
// lines rotated out; gzip -d, where installed, reads them too.
func TestCompressedBackupsHoldTheLines(t *testing.T) {
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: 2048, Compress: Gzip})
	want := lines("out", 0, 2000)
	p := startPump(t, f)
	writeChunks(t, p.pw, want, 9)
	p.finish(t)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := f.FinishBackups(ctx); err != nil {
		t.Fatal(err)
	}
	names := backups(t, f.Path())
	if len(names) < 10 {
		t.Fatalf("%d backups, want many", len(names))
	}
	for _, n := range names {
		if !strings.HasSuffix(n, ".log"+gzipSuffix) {
			t.Errorf("%s: not compressed after FinishBackups", n)
		}
	}
	files := readLogs(t, f.Path()) // decompresses the backups
	checkSizes(t, files, 2048)
	if got := concat(files); !bytes.Equal(got, want) {
		t.Errorf("decompressed backups + current file differ from the input")
	}
	checkWithGzip(t, filepath.Dir(f.Path()), files)
}

// checkWithGzip decompresses each compressed file in dir with gzip -dc,
// if on PATH, and compares with what the test decompressed.
func checkWithGzip(t *testing.T, dir string, files []logFile) {
	tool, err := exec.LookPath("gzip")
	if err != nil {
		t.Logf("gzip not on PATH: the files are not checked with it")
		return
	}
	for _, lf := range files {
		if !strings.HasSuffix(lf.name, gzipSuffix) {
			continue
		}
		out, err := exec.Command(tool, "-dc", filepath.Join(dir, lf.name)).Output()
		if err != nil || !bytes.Equal(out, lf.data) {
			t.Errorf("gzip -dc %s: %v, or other bytes than the test read", lf.name, err)
		}
	}
}

func TestMaxFilesKeepsTheNewestBackups(t *testing.T) {
	const keep = 3
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: 1024, MaxFiles: keep})
	want := lines("out", 0, 2000)
	p := startPump(t, f)
	writeChunks(t, p.pw, want, 10)
	p.finish(t)
	waitFor(t, "old backups to be pruned", func() bool { return len(backups(t, f.Path())) <= keep })
	files := readLogs(t, f.Path())
	if len(files) != keep+1 {
		t.Fatalf("%d files, want %d backups and the current file", len(files), keep)
	}
	got := concat(files)
	if !bytes.HasSuffix(want, got) || len(got) < 3*1024/2 {
		t.Errorf("the kept files are not the newest %d backups (%d bytes kept)", keep, len(got))
	}
}

func TestRotationsWithinOneMillisecondLoseNothing(t *testing.T) {
	const n = 300
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log")})
	start := time.Now()
	for i := range n {
		if _, err := f.Write([]byte(line("w", i))); err != nil {
			t.Fatal(err)
		}
		if err := f.Rotate(); err != nil {
			t.Fatalf("Rotate %d: %v", i, err)
		}
	}
	elapsed := time.Since(start)
	files := readLogs(t, f.Path())
	if len(files) != n+1 {
		t.Fatalf("%d files, want %d backups + the current file", len(files), n)
	}
	if got, want := concat(files), lines("w", 0, n); !bytes.Equal(got, want) {
		t.Errorf("backups overwritten or reordered")
	}
	// The test is only meaningful if rotations did share milliseconds.
	if elapsed >= n*time.Millisecond {
		t.Logf("note: %d rotations took %s, fewer collisions than intended", n, elapsed)
	}
}

func TestBackupNameSkipsTakenNames(t *testing.T) {
	dir := t.TempDir()
	f := openT(t, Options{Path: filepath.Join(dir, "app.log")})
	now := time.Date(2024, 1, 2, 3, 4, 5, 678_900_000, time.FixedZone("", 3600))
	for _, n := range []string{"app-2024-01-02T02-04-05.678.log", "app-2024-01-02T02-04-05.679.log.gz"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f.mu.Lock() // backupName uses the File's open directory
	defer f.mu.Unlock()
	_, got := f.backupName(now)
	if want := "app-2024-01-02T02-04-05.680.log"; got != want {
		t.Errorf("backupName = %s, want %s", got, want)
	}
	// A clock that steps back still yields names after the last backup.
	f.lastBackup = now.Add(time.Hour).UTC().Truncate(time.Millisecond)
	if _, got := f.backupName(now); got != "app-2024-01-02T03-04-05.679.log" {
		t.Errorf("after a clock step back: backupName = %s", got)
	}
}

func TestOpenAppendsAndCountsExistingSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	old := bytes.Repeat([]byte("old line\n"), 100) // 900 bytes
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	f := openT(t, Options{Path: path, MaxSize: 1024})
	if _, err := f.Write([]byte("fits\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(bytes.Repeat([]byte("n"), 199)); err != nil { // 200 bytes with '\n'
		t.Fatal(err)
	}
	files := readLogs(t, path)
	if len(files) != 2 || string(files[0].data) != string(old)+"fits\n" || len(files[1].data) != 200 {
		t.Errorf("want the old file (appended to) rotated before the write that would overflow it; got %d files", len(files))
	}
}

func TestRotateKeepsTheFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows file modes carry only a read-only bit")
	}
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log")})
	if err := os.Chmod(f.Path(), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := f.Rotate(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(f.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after rotation = %v, want 0640", fi.Mode().Perm())
	}
}

func TestOpenValidates(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"relative path", Options{Path: "app.log"}, "must be absolute"},
		{"small MaxSize", Options{Path: filepath.Join(dir, "a.log"), MaxSize: 1023}, "below the minimum"},
		{"negative MaxFiles", Options{Path: filepath.Join(dir, "a.log"), MaxFiles: -1}, "must not be negative"},
		{"negative MaxAge", Options{Path: filepath.Join(dir, "a.log"), MaxAge: -time.Hour}, "must not be negative"},
		{"directory", Options{Path: dir}, "not a regular file"},
		{"parent is a file", Options{Path: filepath.Join(dir, "file", "a.log")}, "create log directory"},
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(tt.opts)
			if err == nil {
				_ = f.Close()
				t.Fatalf("Open succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestOpenDefaultsAndConversions(t *testing.T) {
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxAge: 25 * time.Hour, MaxFiles: 4})
	if l := f.mill.limits; f.maxSize != DefaultMaxSize || l.maxAge != 48*time.Hour || l.maxFiles != 4 {
		t.Errorf("maxSize %d, MaxAge %s, MaxFiles %d; want %d, 48h, 4", f.maxSize, l.maxAge, l.maxFiles, DefaultMaxSize)
	}
	for d, want := range map[time.Duration]int{0: 0, time.Nanosecond: 1, 24 * time.Hour: 1, 24*time.Hour + 1: 2} {
		if got := days(d); got != want {
			t.Errorf("days(%s) = %d, want %d", d, got, want)
		}
	}
}

func TestOneFilePerPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f := openT(t, Options{Path: path})
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("second Open: %v, want ErrAlreadyOpen", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := f.Write([]byte("late\n")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close: %v, want os.ErrClosed", err)
	}
	if f.Dropped() != 5 {
		t.Errorf("Dropped after a write to a closed File = %d, want 5", f.Dropped())
	}
	openT(t, Options{Path: path}) // released by Close
}

// TestCountersMatchTheFiles: Written is every byte in the current file and
// its backups (timestamps included), Rotations counts automatic and
// requested rotations, and neither moves when nothing is written.
func TestCountersMatchTheFiles(t *testing.T) {
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: 2048, Timestamps: true})
	if f.Written() != 0 || f.Rotations() != 0 {
		t.Fatalf("fresh file: written %d, rotations %d", f.Written(), f.Rotations())
	}
	p := startPump(t, f)
	writeChunks(t, p.pw, lines("out", 0, 500), 11)
	p.finish(t)
	if err := f.Rotate(); err != nil {
		t.Fatal(err)
	}
	files := readLogs(t, f.Path())
	var total int64
	for _, lf := range files {
		total += int64(len(lf.data))
	}
	if f.Written() != total || total <= int64(len(lines("out", 0, 500))) {
		t.Errorf("written %d, files hold %d bytes (more than the input, for the timestamps)", f.Written(), total)
	}
	if want := int64(len(backups(t, f.Path()))); f.Rotations() != want || want < 10 {
		t.Errorf("rotations %d, backups %d (want many, equal)", f.Rotations(), want)
	}
}
