package logrotate

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPumpRotatesWholeLinesInOrder(t *testing.T) {
	const max = 1024
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "a", "b", "app.log"), MaxSize: max})
	want := lines("out", 0, 3000)
	p := startPump(t, f)
	writeChunks(t, p.pw, want, 1)
	if n := p.finish(t); n != int64(len(want)) {
		t.Errorf("ReadFrom returned %d, want %d", n, len(want))
	}
	files := readLogs(t, f.Path())
	if len(files) < 50 {
		t.Fatalf("%d files, want many rotations", len(files))
	}
	checkSizes(t, files, max)
	if got := concat(files); !bytes.Equal(got, want) {
		t.Errorf("lines lost, split or reordered across %d files (got %d bytes, want %d)", len(files), len(got), len(want))
	}
	if d := f.Dropped(); d != 0 {
		t.Errorf("Dropped = %d, want 0", d)
	}
}

func TestConcurrentPumpsInterleaveWholeLines(t *testing.T) {
	const max, n = 4096, 4000
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: max})
	out, errp := startPump(t, f), startPump(t, f)
	done := make(chan struct{})
	go func() {
		writeChunks(t, errp.pw, lines("err", 0, n), 2)
		close(done)
	}()
	writeChunks(t, out.pw, lines("out", 0, n), 3)
	<-done
	out.finish(t)
	errp.finish(t)

	files := readLogs(t, f.Path())
	checkSizes(t, files, max)
	next := map[string]int{}
	for i, l := range strings.SplitAfter(string(concat(files)), "\n") {
		if l == "" {
			continue
		}
		tag, seq, ok := parseLine(l)
		if !ok || l != line(tag, seq) {
			t.Fatalf("line %d is not a whole line: %q", i, l)
		}
		if seq != next[tag] {
			t.Fatalf("line %d: %s %d, want %d", i, tag, seq, next[tag])
		}
		next[tag]++
	}
	if next["out"] != n || next["err"] != n {
		t.Errorf("got %d out and %d err lines, want %d each", next["out"], next["err"], n)
	}
}

func parseLine(l string) (tag string, seq int, ok bool) {
	fields := strings.Fields(l)
	if len(fields) < 2 {
		return "", 0, false
	}
	seq, err := strconv.Atoi(fields[1])
	return fields[0], seq, err == nil
}

func TestLongLinesAreSplitIntoPieces(t *testing.T) {
	tests := []struct {
		name      string
		maxSize   int64
		lineLen   int
		pieceSize int // largest piece, '\n' excluded
	}{
		{"longer than MaxSize", 1024, 5000, 1023},
		{"longer than the read size", 0, 2*readSize + 1000, readSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: tt.maxSize})
			long := strings.Repeat("0123456789", tt.lineLen/10)
			p := startPump(t, f)
			writeChunks(t, p.pw, []byte("before\n"+long+"\nafter\n"), 4)
			p.finish(t)
			files := readLogs(t, f.Path())
			checkSizes(t, files, int(f.maxSize))
			got := strings.Split(strings.TrimSuffix(string(concat(files)), "\n"), "\n")
			if len(got) < 4 || got[0] != "before" || got[len(got)-1] != "after" {
				t.Fatalf("got %d lines, want before, pieces, after", len(got))
			}
			pieces := got[1 : len(got)-1]
			for i, pc := range pieces {
				if len(pc) > tt.pieceSize {
					t.Errorf("piece %d: %d bytes, want at most %d", i, len(pc), tt.pieceSize)
				}
			}
			if strings.Join(pieces, "") != long {
				t.Errorf("pieces do not join back into the line")
			}
		})
	}
}

func TestPartialLastLineIsTerminated(t *testing.T) {
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log")})
	// Three child runs on one File, then a whole-line writer.
	for _, in := range []string{"a\nb", "c", ""} {
		p := startPump(t, f)
		writeChunks(t, p.pw, []byte(in), 5)
		if n := p.finish(t); n != int64(len(in)) {
			t.Errorf("ReadFrom(%q) = %d", in, n)
		}
	}
	if n, err := f.Write([]byte("d")); n != 1 || err != nil {
		t.Errorf("Write = %d, %v", n, err)
	}
	if got := string(readOrEmpty(f.Path())); got != "a\nb\nc\nd\n" {
		t.Errorf("file = %q, want %q", got, "a\nb\nc\nd\n")
	}
}

func TestCRLFAndBinaryPassThrough(t *testing.T) {
	var in bytes.Buffer
	for b := range 256 {
		if b != '\n' {
			in.WriteString("byte ")
			in.WriteByte(byte(b))
			in.WriteString(" \x00\xff\xfe\r\n")
		}
	}
	in.WriteString("\r\n\n\r\r\n")
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log")})
	p := startPump(t, f)
	writeChunks(t, p.pw, in.Bytes(), 6)
	p.finish(t)
	if got := readOrEmpty(f.Path()); !bytes.Equal(got, in.Bytes()) {
		t.Errorf("bytes changed in transit:\n got %q\nwant %q", got, in.Bytes())
	}
}

var stampRE = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(?:Z|[+-]\d\d:\d\d)) (.*\n)$`)

func TestTimestampsPrefixEveryLine(t *testing.T) {
	const max = 1024
	zone := time.FixedZone("", 2*3600)
	clock := time.Date(2024, 5, 6, 7, 8, 9, 123456789, zone)
	f := openT(t, Options{
		Path: filepath.Join(t.TempDir(), "app.log"), MaxSize: max, Timestamps: true,
		// Called under the File's lock: no race.
		Now: func() time.Time { clock = clock.Add(1500 * time.Microsecond); return clock },
	})
	long := strings.Repeat("x", 3000)
	want := string(lines("out", 0, 500)) + long + "\n" + "no newline"
	p := startPump(t, f)
	writeChunks(t, p.pw, []byte(want), 8)
	p.finish(t)
	if _, err := f.Write([]byte("from write\nsecond\n")); err != nil {
		t.Fatal(err)
	}
	want += "\nfrom write\nsecond\n"

	files := readLogs(t, f.Path())
	checkSizes(t, files, max)
	var body strings.Builder
	var last time.Time
	for i, l := range strings.SplitAfter(string(concat(files)), "\n") {
		if l == "" {
			continue
		}
		m := stampRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %d has no timestamp prefix: %q", i, l)
		}
		ts, err := time.Parse(time.RFC3339, m[1])
		if err != nil || ts.Before(last) || ts.After(clock) || !strings.HasSuffix(m[1], "+02:00") {
			t.Fatalf("line %d: bad timestamp %q (err %v, previous %s)", i, m[1], err, last)
		}
		last = ts
		body.WriteString(m[2])
	}
	// The 3000-byte line comes back in pieces, one per line.
	got := body.String()
	if strings.ReplaceAll(got, "x\nx", "xx") != want {
		t.Errorf("line bodies differ from the input")
	}
	if want := "2024-05-06T07:08:09.124+02:00 out 000000 \n"; !strings.HasPrefix(string(concat(files)), want) {
		t.Errorf("first line %q, want %q", strings.SplitAfter(string(concat(files)), "\n")[0], want)
	}
}

func TestWriteFromSlogRotates(t *testing.T) {
	const max = 1024
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "wrapper.log"), MaxSize: max})
	log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	var want strings.Builder
	for i := range 300 {
		log.Info("record", "seq", i)
		fmt.Fprintf(&want, "level=INFO msg=record seq=%d\n", i)
	}
	files := readLogs(t, f.Path())
	if len(files) < 5 {
		t.Errorf("%d files, want rotations", len(files))
	}
	checkSizes(t, files, max)
	if got := string(concat(files)); got != want.String() {
		t.Errorf("records lost or reordered:\n%s", got)
	}
}
