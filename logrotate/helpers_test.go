package logrotate

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// deadline bounds every wait in these tests; waits end as soon as their
// condition holds.
const deadline = 30 * time.Second

func openT(t testing.TB, opts Options) *File {
	t.Helper()
	f, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// pumpRun is one ReadFrom fed by a real pipe, as the supervisor does it.
type pumpRun struct {
	pw   *os.File
	done chan pumpResult
}

type pumpResult struct {
	n   int64
	err error
}

func startPump(t testing.TB, f *File) *pumpRun {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	p := &pumpRun{pw: pw, done: make(chan pumpResult, 1)}
	go func() {
		n, err := f.ReadFrom(pr)
		_ = pr.Close()
		p.done <- pumpResult{n, err}
	}()
	t.Cleanup(func() { _ = pw.Close() })
	return p
}

// finish closes the write end and waits for the pump to return.
func (p *pumpRun) finish(t testing.TB) int64 {
	t.Helper()
	_ = p.pw.Close()
	select {
	case r := <-p.done:
		if r.err != nil {
			t.Fatalf("ReadFrom: %v", r.err)
		}
		return r.n
	case <-time.After(deadline):
		t.Fatalf("ReadFrom did not return %s after EOF", deadline)
		return 0
	}
}

// writeChunks writes data in random-sized pieces that ignore line
// boundaries, failing the test if the writes block for long (a pump that
// stopped draining would block them once the pipe is full).
func writeChunks(t testing.TB, w io.Writer, data []byte, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	done := make(chan error, 1)
	go func() {
		for len(data) > 0 {
			n := min(len(data), 1+rng.IntN(3000))
			if _, err := w.Write(data[:n]); err != nil {
				done <- err
				return
			}
			data = data[n:]
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("write to pipe: %v", err)
		}
	case <-time.After(deadline):
		t.Fatalf("writer blocked for %s: the pump stopped draining", deadline)
	}
}

// line returns the i-th test line of a stream: varying lengths, with a
// sequence number that the checks parse back.
func line(tag string, i int) string {
	return fmt.Sprintf("%s %06d %s\n", tag, i, strings.Repeat("abcdefghij", i%7))
}

func lines(tag string, from, to int) []byte {
	var b bytes.Buffer
	for i := from; i < to; i++ {
		b.WriteString(line(tag, i))
	}
	return b.Bytes()
}

// logFile is one file of a rotated log, as read back.
type logFile struct {
	name string
	data []byte
}

// backups returns the names of path's backups (plain and .gz),
// sorted by name, which is rotation order.
func backups(t testing.TB, path string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatalf("read log dir: %v", err)
	}
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	prefix := base[:len(base)-len(ext)] + "-"
	var names []string
	for _, e := range ents {
		n := e.Name()
		if plain, _ := plainName(n); strings.HasPrefix(n, prefix) && strings.HasSuffix(plain, ext) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// readLogs returns the backups in rotation order (decompressed) followed by
// the current file.
func readLogs(t testing.TB, path string) []logFile {
	t.Helper()
	var out []logFile
	dir := filepath.Dir(path)
	for _, n := range append(backups(t, path), filepath.Base(path)) {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatalf("read %s: %v", n, err)
		}
		out = append(out, logFile{n, decompress(t, n, data)})
	}
	return out
}

// decompress returns data, the content of the file name, gunzipped if
// its suffix says so, by the standard library's reader (not the writer's
// package).
func decompress(t testing.TB, name string, data []byte) []byte {
	t.Helper()
	var r io.Reader
	switch {
	case strings.HasSuffix(name, gzipSuffix):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("gunzip %s: %v", name, err)
		}
		r = zr
	default:
		return data
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decompress %s: %v", name, err)
	}
	return out
}

func concat(files []logFile) []byte {
	var b bytes.Buffer
	for _, f := range files {
		b.Write(f.data)
	}
	return b.Bytes()
}

// checkSizes verifies that every file is at most max bytes and holds only
// whole lines, and that no rotation came early: each backup plus the first
// line of the next file would have exceeded max.
func checkSizes(t testing.TB, files []logFile, max int) {
	t.Helper()
	for i, f := range files {
		if len(f.data) > max {
			t.Errorf("%s: %d bytes, above MaxSize %d", f.name, len(f.data), max)
		}
		if len(f.data) > 0 && f.data[len(f.data)-1] != '\n' {
			t.Errorf("%s: does not end with a whole line", f.name)
		}
		if i+1 < len(files) && len(files[i+1].data) > 0 {
			first := bytes.IndexByte(files[i+1].data, '\n') + 1
			if len(f.data)+first <= max {
				t.Errorf("%s: rotated early at %d bytes; the next line (%d bytes) fit", f.name, len(f.data), first)
			}
		}
	}
}

// waitFor polls cond (there is no event to wait on) until it holds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", deadline, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readOrEmpty(path string) []byte {
	data, _ := os.ReadFile(path)
	return data
}

// recorder is a slog.Handler that keeps records for inspection.
type recorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}

func (r *recorder) records() []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.recs)
}

// attr returns the value of the named attribute of rec.
func attr(rec slog.Record, key string) slog.Value {
	var v slog.Value
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value
			return false
		}
		return true
	})
	return v
}
