package logrotate

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// benchChunk is what the writer side sends per iteration: 100 lines of 100
// bytes, as a child writing through a buffered stdout would.
var benchChunk = func() []byte {
	var b bytes.Buffer
	for i := range 100 {
		fmt.Fprintf(&b, "%-99s\n", fmt.Sprintf("line %d", i))
	}
	return b.Bytes()
}()

// benchPipe writes b.N chunks into a real pipe whose read end dst consumes,
// and measures until dst has returned.
func benchPipe(b *testing.B, dst func(r io.Reader) error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- dst(pr)
		_ = pr.Close()
	}()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchChunk)))
	b.ResetTimer()
	for range b.N {
		if _, err := pw.Write(benchChunk); err != nil {
			b.Fatal(err)
		}
	}
	_ = pw.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
}

func benchPump(b *testing.B, timestamps bool, encoding string) {
	f, err := Open(Options{Path: filepath.Join(b.TempDir(), "app.log"), Timestamps: timestamps, Encoding: encoding})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	benchPipe(b, func(r io.Reader) error {
		_, err := f.ReadFrom(r)
		return err
	})
	if f.Dropped() != 0 {
		b.Fatalf("dropped %d bytes", f.Dropped())
	}
}

// BenchmarkPump measures the pump: pipe → ReadFrom → rotated file (10 MiB
// files, one backup kept).
func BenchmarkPump(b *testing.B) { benchPump(b, false, "") }

// BenchmarkPumpTimestamps is BenchmarkPump with a timestamp on every line.
func BenchmarkPumpTimestamps(b *testing.B) { benchPump(b, true, "") }

// BenchmarkPumpGBK is BenchmarkPump decoding GBK (the lines are ASCII, which
// GBK decodes one byte at a time).
func BenchmarkPumpGBK(b *testing.B) { benchPump(b, false, "gbk") }

// BenchmarkPumpUTF16 is BenchmarkPump decoding UTF-16LE: the same lines,
// encoded, twice the bytes through the pipe (MB/s counts those).
func BenchmarkPumpUTF16(b *testing.B) {
	saved := benchChunk
	defer func() { benchChunk = saved }()
	u := make([]byte, 0, 2*len(saved))
	for _, c := range saved {
		u = append(u, c, 0)
	}
	benchChunk = u
	benchPump(b, false, "utf-16le")
}

// BenchmarkPlainCopy is the baseline: the same pipe, io.Copy into an
// *os.File.
func BenchmarkPlainCopy(b *testing.B) {
	out, err := os.Create(filepath.Join(b.TempDir(), "plain.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	benchPipe(b, func(r io.Reader) error {
		_, err := io.Copy(out, r)
		return err
	})
}

// compressCorpusSize is the size of the corpora the compression benchmarks
// compress per iteration: one backup at the default MaxSize.
const compressCorpusSize = DefaultMaxSize

// genCorpus is what bench/gen writes (the throughput bench's child): "o",
// a 10-digit sequence number and 86 filler bytes that depend on it.
var genCorpus = sync.OnceValue(func() []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz"
	filler := strings.Repeat(alphabet, 5)
	var b bytes.Buffer
	for i := 1; b.Len() < int(compressCorpusSize); i++ {
		k := i % len(alphabet)
		fmt.Fprintf(&b, "o %010d %s\n", i, filler[k:k+86])
	}
	return b.Bytes()[:compressCorpusSize]
})

// appCorpus is a service's log as slog's text handler writes it: a
// millisecond timestamp, a level, one of twenty messages and
// attributes with ids, durations, addresses and paths that vary from line
// to line (seeded: every run compresses the same bytes).
var appCorpus = sync.OnceValue(func() []byte {
	r := rand.New(rand.NewPCG(18, 2026))
	levels := []string{"INFO", "INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR"}
	msgs := []string{"request served", "request served", "request served", "cache miss", "cache hit",
		"connection opened", "connection closed", "job started", "job finished", "retrying upstream",
		"slow query", "token refreshed", "user logged in", "user logged out", "file uploaded",
		"rate limit reached", "health check", "config reloaded", "queue drained", "message published"}
	paths := []string{"/api/v1/orders", "/api/v1/users", "/api/v1/items/search", "/static/app.js",
		"/healthz", "/api/v2/payments", "/login", "/api/v1/orders/export"}
	t := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	for b.Len() < int(compressCorpusSize) {
		t = t.Add(time.Duration(r.IntN(40)) * time.Millisecond)
		fmt.Fprintf(&b, "time=%s level=%s msg=%q service=orders request_id=%016x user=%d",
			t.Format("2006-01-02T15:04:05.000Z07:00"), levels[r.IntN(len(levels))], msgs[r.IntN(len(msgs))],
			r.Uint64(), 1000+r.IntN(50000))
		fmt.Fprintf(&b, " path=%s status=%d bytes=%d duration=%.3fms remote=10.%d.%d.%d:%d\n",
			paths[r.IntN(len(paths))], []int{200, 200, 200, 201, 204, 304, 400, 404, 500}[r.IntN(9)],
			r.IntN(200000), r.Float64()*250, r.IntN(256), r.IntN(256), r.IntN(256), 1024+r.IntN(60000))
	}
	return b.Bytes()[:compressCorpusSize]
})

// countWriter counts what a compressor writes.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// compressors are the candidates: the standard library's gzip (the
// baseline, at its default level, and at its fastest), klauspost's gzip at
// several levels, and zstd, which the product does not link (its start-up
// cost) but stays here as the yardstick. Each is given a fresh writer per
// backup, as the mill does, and compresses on the calling goroutine alone.
var compressors = []struct {
	name string
	new  func(w io.Writer) io.WriteCloser
}{
	{"stdgzip-6", stdGzip(stdgzip.DefaultCompression)}, {"stdgzip-1", stdGzip(stdgzip.BestSpeed)},
	{"kpgzip-1", kpGzip(1)}, {"kpgzip-2", kpGzip(2)}, {"kpgzip-3", kpGzip(3)}, {"kpgzip-4", kpGzip(4)},
	{"zstd-fastest", kpZstd(zstd.SpeedFastest, 0)}, {"zstd-fastest-w1m", kpZstd(zstd.SpeedFastest, 1<<20)},
	{"zstd-default-w1m", kpZstd(zstd.SpeedDefault, 1<<20)},
}

func stdGzip(level int) func(io.Writer) io.WriteCloser {
	return func(w io.Writer) io.WriteCloser { z, _ := stdgzip.NewWriterLevel(w, level); return z }
}

func kpGzip(level int) func(io.Writer) io.WriteCloser {
	return func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, level); return z }
}

// kpZstd is a zstd encoder on the calling goroutine alone (concurrency 1),
// with the given window (0: the level's default).
func kpZstd(level zstd.EncoderLevel, window int) func(io.Writer) io.WriteCloser {
	return func(w io.Writer) io.WriteCloser {
		opts := []zstd.EOption{zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1)}
		if window > 0 {
			opts = append(opts, zstd.WithWindowSize(window))
		}
		z, _ := zstd.NewWriter(w, opts...)
		return z
	}
}

// BenchmarkCompress compresses one 10 MiB backup per iteration with each
// candidate, from two corpora: bench/gen's lines (what the throughput
// bench's backups hold) and an application's slog lines. It reports the
// cost per MB of input (ns/MB: one goroutine, so wall time is CPU time)
// and the ratio (input / output). docs/performance.md#compression.
func BenchmarkCompress(b *testing.B) {
	corpora := []struct {
		name string
		data func() []byte
	}{{"gen", genCorpus}, {"app", appCorpus}}
	for _, c := range corpora {
		for _, z := range compressors {
			b.Run(c.name+"/"+z.name, func(b *testing.B) {
				data := c.data()
				var out countWriter
				b.SetBytes(int64(len(data)))
				b.ResetTimer()
				for range b.N {
					out.n = 0
					zw := z.new(&out)
					if _, err := io.Copy(zw, bytes.NewReader(data)); err != nil {
						b.Fatal(err)
					}
					if err := zw.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(data))/1e6), "ns/MB")
				b.ReportMetric(float64(len(data))/float64(out.n), "ratio")
			})
		}
	}
}

// BenchmarkRotatePrune measures one rotation and the backup mill's pass
// that follows it, with max_files backups in the directory: the pass lists
// the directory, parses and sorts every backup's name and removes the
// oldest one (bench/run.sh, case prune). The pass runs in the benchmark's
// goroutine, not the mill's, so that each operation includes all of it.
func BenchmarkRotatePrune(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("backups=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range n {
				name := "app-" + old.Add(time.Duration(i)*time.Second).Format(backupTimeFormat) + ".log"
				if err := os.WriteFile(filepath.Join(dir, name), benchChunk[:100], 0o600); err != nil {
					b.Fatal(err)
				}
			}
			// MaxFiles 0 leaves the mill's own goroutine idle.
			f, err := Open(Options{Path: filepath.Join(dir, "app.log")})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			limits := millLimits{maxFiles: n}
			b.ResetTimer()
			for range b.N {
				if _, err := f.Write(benchChunk[:100]); err != nil {
					b.Fatal(err)
				}
				if err := f.Rotate(); err != nil {
					b.Fatal(err)
				}
				var rep report
				if err := f.mill.work(limits, &rep); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if ents, _ := os.ReadDir(dir); len(ents) != n+1 {
				b.Fatalf("%d files in the log directory, want %d backups and the log", len(ents), n)
			}
		})
	}
}

// BenchmarkFrame measures framing alone: a read's worth of 100-byte lines
// (bench/gen's) prefixed with a timestamp, into a reused buffer.
func BenchmarkFrame(b *testing.B) {
	data := genCorpus()[:readSize]
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	stamp := appendStamp(nil, time.Date(2026, 12, 7, 22, 30, 1, 956e6, time.UTC))
	out := make([]byte, 0, maxScratch)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for rest := data; len(rest) > 0; {
			out, rest = frame(out[:0], rest, stamp, int(DefaultMaxSize))
		}
	}
}
