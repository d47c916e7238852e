package logrotate

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
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
