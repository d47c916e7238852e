package logrotate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPartialLineEndingPastReadSizeIsSplit holds a partial line of almost
// readSize in the pump, then sends its end and the next line in one write,
// which the pump reads at once: the line, longer than readSize, must come
// out in pieces of readSize at most, like any line longer than the read
// size. The pipe's fill level (FIONREAD, TIOCINQ in x/sys) tells when the pump has
// read the first part.
func TestPartialLineEndingPastReadSizeIsSplit(t *testing.T) {
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log")})
	p := startPump(t, f)
	head := strings.Repeat("x", readSize-10)
	writeChunks(t, p.pw, []byte(head), 9)
	waitFor(t, "the pump to read the partial line", func() bool {
		n, err := unix.IoctlGetInt(int(p.pw.Fd()), unix.TIOCINQ) // FIONREAD
		return err == nil && n == 0
	})
	end := strings.Repeat("x", 20) + "\nafter\n"
	if _, err := p.pw.Write([]byte(end)); err != nil {
		t.Fatal(err)
	}
	p.finish(t)
	got := readOrEmpty(f.Path())
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != 3 || len(lines[0]) != readSize || lines[2] != "after" {
		t.Fatalf("got %d lines (first %d bytes), want a piece of %d bytes, the rest, after", len(lines), len(lines[0]), readSize)
	}
	if want := head + end; !bytes.Equal(bytes.Replace(got, []byte("x\nx"), []byte("xx"), 1), []byte(want)) {
		t.Errorf("the pieces do not join back into the line")
	}
}

// TestFullReadGrowsTheBufferLinesWhole fills a pipe enlarged as the
// supervisor enlarges it before the pump starts, so that the pump's first
// read comes back full, ending mid-line, and its buffer grows to readSize
// for the next: every line must come out whole and in order, timestamped.
func TestFullReadGrowsTheBufferLinesWhole(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if _, err := unix.FcntlInt(pw.Fd(), unix.F_SETPIPE_SZ, readSize); err != nil {
		t.Skipf("cannot enlarge the pipe: %v", err)
	}
	want := lines("out", 0, 15000)
	if len(want) <= firstReadSize || len(want) >= readSize || want[firstReadSize-1] == '\n' {
		t.Fatalf("%d bytes of lines: want a full first read ending mid-line, and all in the pipe", len(want))
	}
	if _, err := pw.Write(want); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	f := openT(t, Options{Path: filepath.Join(t.TempDir(), "app.log"), Timestamps: true})
	if n, err := f.ReadFrom(pr); err != nil || n != int64(len(want)) {
		t.Fatalf("ReadFrom = %d, %v; want %d, nil", n, err, len(want))
	}
	got := readOrEmpty(f.Path())
	var body bytes.Buffer
	for i, l := range strings.SplitAfter(string(got), "\n") {
		if l == "" {
			continue
		}
		m := stampRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %d has no timestamp prefix: %q", i, l)
		}
		body.WriteString(m[2])
	}
	if !bytes.Equal(body.Bytes(), want) {
		t.Errorf("lines cut, lost or reordered across the first read (%d bytes, want %d)", body.Len(), len(want))
	}
}
