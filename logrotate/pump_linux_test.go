package logrotate

import (
	"bytes"
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
