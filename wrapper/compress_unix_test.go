//go:build unix

package wrapper

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() {
	platformHelpers = append(platformHelpers, "numbered-hex")
	fakechild.Register("numbered-hex", numberedHex)
}

// numberedHexText is line n of numbered-hex: the number and 100 hex digits
// drawn from it (slow to compress, checkable by number).
func numberedHexText(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 18))
	var b [50]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return fmt.Sprintf("%08d %s\n", n, hex.EncodeToString(b[:]))
}

// numberedHex: N [exit]. Writes lines 1..N of numberedHexText and "done",
// then sleeps until killed (exits 0 with exit).
func numberedHex(args []string) int {
	n, _ := strconv.Atoi(args[0])
	var b []byte
	for i := 1; i <= n; i++ {
		if b = append(b, numberedHexText(i)...); len(b) >= 64<<10 || i == n {
			if _, err := os.Stdout.Write(b); err != nil {
				return 1
			}
			b = b[:0]
		}
	}
	fmt.Println("done")
	if len(args) > 1 && args[1] == "exit" {
		return 0
	}
	select {}
}

// compressedLines returns the content of the stdout log in dir, backups
// decompressed (failing on a plain one unless plainOK) in rotation order,
// then the current file, and the number of backups.
func compressedLines(t *testing.T, dir string, plainOK bool) ([]byte, int) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "logs", "svc.out-*"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	var all bytes.Buffer
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		switch {
		case strings.HasSuffix(name, ".log.gz"):
			r, err = gzip.NewReader(f)
		case strings.HasSuffix(name, ".log") && plainOK:
		default:
			t.Errorf("%s: left as it is", filepath.Base(name))
		}
		if err == nil {
			_, err = io.Copy(&all, r)
		}
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(name), err)
		}
	}
	all.WriteString(readLog(t, dir, "svc.out.log"))
	return all.Bytes(), len(names)
}

// checkNumberedHex fails unless got is lines 1..n of numbered-hex and
// "done".
func checkNumberedHex(t *testing.T, got []byte, n int) {
	t.Helper()
	var want strings.Builder
	for i := 1; i <= n; i++ {
		want.WriteString(numberedHexText(i))
	}
	want.WriteString("done\n")
	if !bytes.Equal(got, []byte(want.String())) {
		t.Errorf("the logs hold %d bytes, not the %d lines written in order (%d bytes)", len(got), n, want.Len())
	}
}

// TestStopCompressesEveryBackup: a real wrapper whose child writes 20 MB
// (about 20 backups of 1 MB, faster than they compress in the background)
// gets SIGTERM as soon as the last line is in the log. When it has
// exited, every backup is compressed and whole: the exit finished the
// queue within the stop budget. With a stop budget of 0 the backups it
// could not finish are left plain and whole, without partial files, and
// the next start compresses them.
func TestStopCompressesEveryBackup(t *testing.T) {
	const lines = 190_000 // 110 bytes each: 20.9 MB
	dir := t.TempDir()
	logs := "log: {max_size: 1MB, max_files: 0, compress: true}\n"
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "numbered-hex", []string{strconv.Itoa(lines)}, logs+"stop: {timeout: 2m}\n"))
	stopWhenDone(t, cfg, dir)
	got, backups := compressedLines(t, dir, false)
	if backups < 19 {
		t.Errorf("%d backups, want about 20", backups)
	}
	checkNumberedHex(t, got, lines)

	dir = t.TempDir()
	cfg = writeFile(t, dir, "svc.yaml", childYAML(t, "numbered-hex", []string{strconv.Itoa(lines)}, logs+"stop: {timeout: 0s}\n"))
	stopWhenDone(t, cfg, dir)
	got, _ = compressedLines(t, dir, true)
	checkNumberedHex(t, got, lines)
	// The next start: its child writes nothing but "done" and exits 0.
	cfg = writeFile(t, dir, "svc.yaml", childYAML(t, "numbered-hex", []string{"0", "exit"}, logs+"stop: {timeout: 2m}\n"))
	cmd, stderr := startWrapper(t, cfg)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("second wrapper: %v\n%s", err, stderr)
	}
	got, _ = compressedLines(t, dir, false)
	checkNumberedHex(t, bytes.TrimSuffix(got, []byte("done\n")), lines)
}

// stopWhenDone runs the wrapper of cfg, sends it SIGTERM once its child's
// "done" is in the log and waits for its exit.
func stopWhenDone(t *testing.T, cfg, dir string) {
	t.Helper()
	cmd, stderr := startWrapper(t, cfg)
	waitFor(t, "the child's last line", func() bool { return strings.HasSuffix(readLog(t, dir, "svc.out.log"), "done\n") })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wrapper: %v\n%s", err, stderr)
	}
}
