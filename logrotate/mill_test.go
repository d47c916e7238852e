package logrotate

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestPlanChoosesLikeLumberjack(t *testing.T) {
	now := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	b := func(name string, age time.Duration) backup { return backup{name, now.Add(-age)} }
	// Newest first, as mill.list returns them; b2 has a plain and a .gz
	// copy (a compression that a crash interrupted); b3 and b5 were
	// compressed.
	all := []backup{b("b1.log", 1*day), b("b2.log.gz", 2*day), b("b2.log", 2*day),
		b("b3.log.gz", 3*day), b("b4.log", 4*day), b("b5.log.gz", 5*day)}
	tests := []struct {
		name             string
		limits           millLimits
		remove, compress []string
	}{
		{"nothing to do", millLimits{}, nil, nil},
		{"max files counts a plain and its compressed copy once", millLimits{maxFiles: 2}, []string{"b3.log.gz", "b4.log", "b5.log.gz"}, nil},
		{"max age", millLimits{maxAge: 2*day + time.Hour}, []string{"b3.log.gz", "b4.log", "b5.log.gz"}, nil},
		{"compress the plain ones kept", millLimits{maxFiles: 3, compress: Gzip}, []string{"b4.log", "b5.log.gz"}, []string{"b1.log", "b2.log"}},
		{"compress every plain one", millLimits{compress: Gzip}, nil, []string{"b1.log", "b2.log", "b4.log"}},
		{"both limits", millLimits{maxFiles: 3, maxAge: 1*day + time.Hour, compress: Gzip},
			[]string{"b4.log", "b5.log.gz", "b2.log.gz", "b2.log", "b3.log.gz"}, []string{"b1.log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remove, compress := plan(all, tt.limits, now)
			if !slices.Equal(remove, tt.remove) || !slices.Equal(compress, tt.compress) {
				t.Errorf("plan = remove %q, compress %q; want %q, %q", remove, compress, tt.remove, tt.compress)
			}
		})
	}
}

func TestBackupTimeParsesOnlyBackups(t *testing.T) {
	want := time.Date(2024, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	for name, ok := range map[string]bool{
		"app-2024-01-02T03-04-05.678.log":     true,
		"app-2024-01-02T03-04-05.678.log.gz":  true,
		"app-2024-01-02T03-04-05.678.log.zst": false,
		"app-2024-01-02T03-04-05.678.log.xz":  false,
		"app.log":                             false,
		"app-2024-01-02T03-04-05.678.txt":     false,
		"other-2024-01-02T03-04-05.678.log":   false,
		"app-junk.log":                        false,
	} {
		got, gotOK := backupTime(name, "app-", ".log")
		if gotOK != ok || (ok && !got.Equal(want)) {
			t.Errorf("backupTime(%q) = %v, %v; want ok=%v", name, got, gotOK, ok)
		}
	}
}

// TestDirectoryNamedLikeABackupIsNoBackup: the mill tells a directory by
// the type its listing gives, without a stat: one named like the oldest
// backup is not removed, one named like the newest is neither counted for
// MaxFiles nor compressed.
func TestDirectoryNamedLikeABackupIsNoBackup(t *testing.T) {
	dir := t.TempDir()
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	name := func(i int) string {
		return "app-" + old.Add(time.Duration(i)*time.Second).Format(backupTimeFormat) + ".log"
	}
	for _, i := range []int{0, 3} {
		if err := os.Mkdir(filepath.Join(dir, name(i)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, i := range []int{1, 2} {
		if err := os.WriteFile(filepath.Join(dir, name(i)), []byte(line("b", i)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m := startMill(filepath.Join(dir, "app.log"), millLimits{}, func(report) {})
	defer m.close()
	var rep report
	if err := m.work(millLimits{maxFiles: 1, compress: Gzip}, &rep); err != nil {
		t.Fatalf("pass: %v", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, fmt.Sprintf("%s dir=%v", e.Name(), e.IsDir()))
	}
	want := []string{name(0) + " dir=true", name(2) + gzipSuffix + " dir=false", name(3) + " dir=true"}
	if !slices.Equal(got, want) {
		t.Errorf("after the pass: %q, want %q", got, want)
	}
}

// TestCloseDuringCompressionLosesNothing closes a File while its mill is
// compressing a large backup (FinishBackups started it; its .gz is
// there): Close must return with either the finished .gz (and the plain
// backup gone) or the plain backup intact and no partial .gz, and report
// no failure.
func TestCloseDuringCompressionLosesNothing(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "app-2001-02-03T04-05-06.789.log")
	data := make([]byte, 32<<20) // random: slow to compress
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plain, data, 0o600); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	f := openT(t, Options{Path: filepath.Join(dir, "app.log"), Compress: Gzip, Logger: slog.New(rec)})
	finished := make(chan error, 1)
	go func() { finished <- f.FinishBackups(context.Background()) }()
	waitFor(t, "the compression to begin", func() bool {
		_, err := os.Lstat(plain + gzipSuffix)
		return err == nil
	})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	<-finished // returns once Close has stopped the mill, whatever it says
	for _, r := range rec.records() {
		if r.Level >= slog.LevelWarn {
			t.Errorf("Close interrupting a compression was reported: %s", r.Message)
		}
	}
	got, err := os.ReadFile(plain)
	if err == nil {
		if !bytes.Equal(got, data) {
			t.Fatalf("the plain backup changed")
		}
		if _, err := os.Lstat(plain + gzipSuffix); err == nil {
			t.Errorf("a partial .gz was left beside the plain backup")
		}
		t.Log("Close stopped the compression")
		return
	}
	zf, err := os.Open(plain + gzipSuffix)
	if err != nil {
		t.Fatalf("neither the plain backup nor its .gz: %v", err)
	}
	defer zf.Close()
	zr, err := gzip.NewReader(zf)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, data) {
		t.Errorf("the .gz does not hold the backup: %v", err)
	}
	t.Log("the compression finished before Close")
}

// TestLinkAtOpenIsReportedToSetLogger: a link found by Open, before any
// Logger exists (the wrapper's Logger writes into one of its Files), is
// held and reported once SetLogger gives one. The link points inside the
// directory, where os.Root alone would follow it.
func TestLinkAtOpenIsReportedToSetLogger(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	other := filepath.Join(dir, "other.log")
	if err := os.WriteFile(other, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("other.log", path); err != nil {
		t.Skipf("cannot create a symbolic link here: %v", err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		// Wine reports success but leaves no link it can stat
		// (docs/windows-testing.md).
		t.Skipf("os.Symlink made no symbolic link here (Lstat: %v)", err)
	}
	f := openT(t, Options{Path: path})
	if _, err := f.Write([]byte("line\n")); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	f.SetLogger(slog.New(rec))
	recs := rec.records()
	if len(recs) != 1 || recs[0].Level != slog.LevelWarn || !strings.Contains(recs[0].Message, "link") ||
		attr(recs[0], "path").String() != path {
		t.Errorf("records %v, want one warning about the link with its path", recs)
	}
	if b, _ := os.ReadFile(other); string(b) != "keep\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() || string(readOrEmpty(path)) != "line\n" {
		t.Errorf("the log is not a regular file holding the line: %v", err)
	}
}

// TestExitRightAfterRotatingResumesAtNextOpen (issue 14 §5): a wrapper
// that closes its logs right after many rotations leaves no corrupt .gz,
// and the next Open of the same path (the next start) finishes the work:
// every backup compressed, at most MaxFiles kept, the newest ones, whole.
func TestExitRightAfterRotatingResumesAtNextOpen(t *testing.T) {
	const keep = 3
	path := filepath.Join(t.TempDir(), "app.log")
	opts := Options{Path: path, MaxSize: 2 << 20, MaxFiles: keep, Compress: Gzip}
	f, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 512<<10) // 1 MiB of hex digits a backup: compressing 19 outlasts Close
	var written [][]byte
	for i := range 19 {
		if _, err := rand.Read(raw); err != nil { // random, so compressing takes a while
			t.Fatal(err)
		}
		chunk := []byte(fmt.Sprintf("round %d %s\n", i, hex.EncodeToString(raw)))
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
		written = append(written, chunk)
		if err := f.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil { // the wrapper exits at once
		t.Fatal(err)
	}
	// Whatever Close left: every .gz is whole (readLogs gunzips it fully).
	readLogs(t, path)

	f = openT(t, opts) // the next start
	waitFor(t, "the backups to be compressed and pruned", func() bool {
		names := backups(t, path)
		for _, n := range names {
			if !strings.HasSuffix(n, gzipSuffix) {
				return false
			}
		}
		return len(names) == keep
	})
	files := readLogs(t, path)
	for i, lf := range files[:keep] {
		if want := written[len(written)-keep+i]; !bytes.Equal(lf.data, want) {
			t.Errorf("backup %s holds %d bytes, want round %d's %d bytes", lf.name, len(lf.data), len(written)-keep+i, len(want))
		}
	}
}

// TestCompressAt: backups are compressed after a quiet period since the
// latest wake, but no later than the lag after the first.
func TestCompressAt(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	quiet, lag := time.Second, 10*time.Second
	for _, c := range []struct {
		name        string
		first, last time.Duration // after t0
		want        time.Duration
	}{
		{"one rotation", 0, 0, time.Second},
		{"a burst", 0, 300 * time.Millisecond, 1300 * time.Millisecond},
		{"a steady stream, before the lag", 0, 8 * time.Second, 9 * time.Second},
		{"a steady stream, at the lag", 0, 9 * time.Second, 10 * time.Second},
		{"a steady stream, past the lag", 0, 9500 * time.Millisecond, 10 * time.Second},
		{"a later first", 5 * time.Second, 14500 * time.Millisecond, 15 * time.Second},
	} {
		got := compressAt(t0.Add(c.first), t0.Add(c.last), quiet, lag)
		if want := t0.Add(c.want); !got.Equal(want) {
			t.Errorf("%s: %v after t0, want %v", c.name, got.Sub(t0), c.want)
		}
	}
}

// rotations writes n rotations' worth of lines into f (MaxSize
// MinMaxSize) and returns the File's backups afterwards, once the mill's
// passes have run.
func rotations(t *testing.T, f *File, n int) []string {
	t.Helper()
	for i := range n {
		if _, err := f.Write(lines(fmt.Sprint("r", i), 0, 20)); err != nil {
			t.Fatal(err)
		}
		if err := f.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
	synctest.Wait()
	return backups(t, f.Path())
}

// compressed counts the .gz names among names.
func compressed(names []string) int {
	n := 0
	for _, name := range names {
		if strings.HasSuffix(name, gzipSuffix) {
			n++
		}
	}
	return n
}

// TestCompressionWaitsForAPause: a burst of rotations leaves its backups
// plain, pruned at once, until the File has gone compressQuiet without a
// rotation; then every one is compressed. On a fake clock: no real time
// passes.
func TestCompressionWaitsForAPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: MinMaxSize, MaxFiles: 4, Compress: Gzip})
		names := rotations(t, f, 6)
		if len(names) != 4 || compressed(names) != 0 {
			t.Fatalf("right after the burst: %q, want 4 plain backups (pruned, not compressed)", names)
		}
		time.Sleep(compressQuiet / 2)
		names = rotations(t, f, 1) // the pause starts again
		time.Sleep(compressQuiet - time.Nanosecond)
		synctest.Wait()
		if names = backups(t, f.Path()); compressed(names) != 0 {
			t.Fatalf("before a whole pause: %q, want none compressed", names)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if names = backups(t, f.Path()); len(names) != 4 || compressed(names) != 4 {
			t.Fatalf("after the pause: %q, want 4 compressed backups", names)
		}
	})
}

// TestCompressionLagsAtMostCompressLag: rotations that never pause for
// compressQuiet still have their backups compressed compressLag after
// the first one that waits.
func TestCompressionLagsAtMostCompressLag(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: MinMaxSize, Compress: Gzip})
		start := time.Now()
		var names []string
		for time.Since(start) < compressLag {
			names = rotations(t, f, 1)
			if compressed(names) != 0 {
				t.Fatalf("%v after the first rotation: %q, want none compressed yet", time.Since(start), names)
			}
			time.Sleep(compressQuiet / 2)
		}
		synctest.Wait()
		if got := backups(t, f.Path()); compressed(got) != len(names) {
			t.Fatalf("%v after the first rotation: %q, want the %d backups then compressed", time.Since(start), got, len(names))
		}
	})
}

// randomBackups writes n backups of size random bytes (slow to compress)
// beside path, as an earlier run would have left them, and returns their
// names.
func randomBackups(t *testing.T, path string, n, size int) []string {
	t.Helper()
	var names []string
	for i := range n {
		name := filepath.Join(filepath.Dir(path), fmt.Sprintf("app-2001-02-03T04-05-%02d.000.log", i))
		data := make([]byte, size)
		if _, err := rand.Read(data); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// quickMill makes the mills opened until the test ends compress right
// after a wake.
func quickMill(t *testing.T) {
	saved := millWait
	millWait.quiet = 0
	t.Cleanup(func() { millWait = saved })
}

// holdSlot takes the process's compression slot, as another File's
// compression would, until the test ends.
func holdSlot(t *testing.T) {
	slot <- struct{}{}
	t.Cleanup(func() { <-slot })
}

// inCompress reports whether a goroutine is in the mill's compress,
// which, with the slot held, means waiting for it.
func inCompress() bool {
	buf := make([]byte, 1<<20)
	return strings.Contains(string(buf[:runtime.Stack(buf, true)]), "logrotate.(*mill).compress(")
}

// TestFinishDoesNotWaitForTheBackgroundSlot: a background pass waits for
// the slot another File's compression holds; FinishBackups, called
// meanwhile, compresses every backup at once without it.
func TestFinishDoesNotWaitForTheBackgroundSlot(t *testing.T) {
	quickMill(t)
	holdSlot(t)
	path := filepath.Join(t.TempDir(), "app.log")
	names := randomBackups(t, path, 3, 1<<20)
	f := openT(t, Options{Path: path, Compress: Gzip})
	waitFor(t, "the background pass to wait for the slot", inCompress)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := f.FinishBackups(ctx); err != nil {
		t.Fatalf("FinishBackups with the slot held: %v", err)
	}
	for _, n := range names {
		if _, err := os.Stat(n + gzipSuffix); err != nil {
			t.Errorf("%s not compressed: %v", filepath.Base(n), err)
		}
	}
}

// TestPruningDoesNotWaitForCompression: while a compressing pass waits
// for the slot, rotations still prune at once.
func TestPruningDoesNotWaitForCompression(t *testing.T) {
	quickMill(t)
	holdSlot(t)
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: MinMaxSize, MaxFiles: 2, Compress: Gzip})
	for i := range 6 {
		if _, err := f.Write(lines(fmt.Sprint("r", i), 0, 20)); err != nil {
			t.Fatal(err)
		}
		if err := f.Rotate(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a compressing pass to wait for the slot", inCompress)
	}
	waitFor(t, "the backups to be pruned to MaxFiles", func() bool { return len(backups(t, f.Path())) <= 2 })
}

// TestFinishCompressesOnePerProcessor: FinishBackups compresses backups
// side by side, two partial .gz files beside their plain backups at one
// moment at least.
func TestFinishCompressesOnePerProcessor(t *testing.T) {
	if runtime.NumCPU() < 2 || runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one processor: one backup at a time")
	}
	path := filepath.Join(t.TempDir(), "app.log")
	names := randomBackups(t, path, 4, 32<<20)
	f := openT(t, Options{Path: path, Compress: Gzip})
	finished := make(chan error, 1)
	go func() { finished <- f.FinishBackups(context.Background()) }()
	most := 0
	for {
		select {
		case err := <-finished:
			if err != nil {
				t.Fatal(err)
			}
			if most < 2 {
				t.Errorf("at most %d backup(s) compressing at once, want 2", most)
			}
			return
		default:
		}
		n := 0
		for _, name := range names {
			_, errPlain := os.Lstat(name)
			_, errGz := os.Lstat(name + gzipSuffix)
			if errPlain == nil && errGz == nil {
				n++
			}
		}
		most = max(most, n)
	}
}
