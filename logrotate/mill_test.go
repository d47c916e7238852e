package logrotate

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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

// TestCloseDuringCompressionLosesNothing closes a File while its mill may
// be compressing a large backup: Close must return with either the
// finished .gz (and the plain backup gone) or the plain backup intact and
// no partial .gz.
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
	f := openT(t, Options{Path: filepath.Join(dir, "app.log"), Compress: Gzip})
	if err := f.Close(); err != nil {
		t.Fatal(err)
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
