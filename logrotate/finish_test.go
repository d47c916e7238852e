package logrotate

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// plantBackups writes n backups of app.log into dir, as an earlier run
// would have left them plain, each of size random bytes (slow to
// compress), and returns their names and contents.
func plantBackups(t *testing.T, dir string, n, size int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for i := range n {
		data := make([]byte, size)
		if _, err := rand.Read(data); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("app-2001-02-03T04-05-%02d.000.log", i)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		out[name] = data
	}
	return out
}

// checkBackups fails unless every planted backup is either plain and
// intact with no compressed copy beside it, or only compressed and
// decompressing to its content. It returns how many are compressed.
func checkBackups(t *testing.T, dir string, planted map[string][]byte) int {
	t.Helper()
	compressed := 0
	for name, want := range planted {
		plain, perr := os.ReadFile(filepath.Join(dir, name))
		z, zerr := os.ReadFile(filepath.Join(dir, name+gzipSuffix))
		switch {
		case perr == nil && zerr == nil:
			t.Errorf("%s: both the plain backup and a compressed copy (a partial one?)", name)
		case perr == nil:
			if !bytes.Equal(plain, want) {
				t.Errorf("%s: the plain backup changed", name)
			}
		case zerr == nil:
			if !bytes.Equal(decompress(t, name+gzipSuffix, z), want) {
				t.Errorf("%s%s does not hold the backup", name, gzipSuffix)
			}
			compressed++
		default:
			t.Errorf("%s: neither plain nor compressed: %v", name, zerr)
		}
	}
	return compressed
}

// TestFinishBackupsCompressesWhatEarlierRunsLeft: plain backups left by
// an earlier run, one with the partial output of an interrupted
// compression beside it, are all compressed when FinishBackups returns,
// and hold their bytes (the partial file replaced).
func TestFinishBackupsCompressesWhatEarlierRunsLeft(t *testing.T) {
	dir := t.TempDir()
	planted := plantBackups(t, dir, 6, 1<<20)
	if err := os.WriteFile(filepath.Join(dir, "app-2001-02-03T04-05-00.000.log.gz"), []byte("\x1f\x8bcut"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := openT(t, Options{Path: filepath.Join(dir, "app.log"), Compress: Gzip})
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := f.FinishBackups(ctx); err != nil {
		t.Fatal(err)
	}
	if n := checkBackups(t, dir, planted); n != len(planted) {
		t.Errorf("%d of %d backups compressed when FinishBackups returned", n, len(planted))
	}
}

// TestFinishBackupsOutOfTimeLeavesNoPartial: when the time given to
// FinishBackups runs out, Close leaves every backup either plain and intact
// or compressed and whole, never a partial file; the next Open's
// FinishBackups compresses the rest.
func TestFinishBackupsOutOfTimeLeavesNoPartial(t *testing.T) {
	dir := t.TempDir()
	planted := plantBackups(t, dir, 4, 16<<20)
	opts := Options{Path: filepath.Join(dir, "app.log"), Compress: Gzip}
	f, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	err = f.FinishBackups(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("FinishBackups with no time left = %v, want the deadline's error", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d compressed before Close", checkBackups(t, dir, planted), len(planted))

	f = openT(t, opts) // the next start
	ctx, cancel = context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := f.FinishBackups(ctx); err != nil {
		t.Fatal(err)
	}
	if n := checkBackups(t, dir, planted); n != len(planted) {
		t.Errorf("%d of %d backups compressed by the next start", n, len(planted))
	}
}
