//go:build faults && linux

package wrapper

// Fault suite (make test-faults): real wrapper processes (the test binary
// re-executed as the wrapper), real children (this file's helpers), real
// files. The helpers and the log checks live here; the cases in the other
// faults_*_test.go files.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// faultHelpers are the fake children of the fault suite; they are declared
// only in builds with the faults tag, so the normal build's list stays
// honest (a declared helper must be used by a full run).
var faultHelpers = []string{
	"longline", "fault-flood", "fault-forever", "fault-ticker", "fault-bytes",
	"fault-close-stdout", "fault-quick-exit", "fault-orphan",
}

func init() {
	platformHelpers = append(platformHelpers, faultHelpers...)
	fakechild.Register("fault-flood", faultFlood)
	fakechild.Register("fault-forever", faultForever)
	fakechild.Register("fault-ticker", faultTicker)
	fakechild.Register("fault-bytes", faultBytes)
	fakechild.Register("fault-close-stdout", faultCloseStdout)
	fakechild.Register("fault-quick-exit", faultQuickExit)
	fakechild.Register("fault-orphan", faultOrphan)
}

const (
	// floodLine is the length of a flood line: "rRRR S NNNNNNNNN " and a
	// filler that depends on the number, then '\n'.
	floodLine   = 100
	floodHeader = 17
	// floodBatch lines go in one write: 4000 bytes, below PIPE_BUF (4096),
	// so each write reaches the pipe whole or not at all, even when the
	// child dies in the middle of the flood.
	floodBatch = 40
	alphabet   = "abcdefghijklmnopqrstuvwxyz"
)

// floodText returns line n of stream s in run r, newline included.
func floodText(r int, s byte, n int) string {
	head := fmt.Sprintf("r%03d %c %09d ", r, s, n)
	k := n % len(alphabet)
	fill := strings.Repeat(alphabet, 5)[k : k+floodLine-floodHeader-1]
	return head + fill + "\n"
}

// nextRun increments the run counter kept in dir and returns the new value:
// every child start gets its own number.
func nextRun(dir string) int {
	path := filepath.Join(dir, "run")
	b, _ := os.ReadFile(path)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	n++
	_ = os.WriteFile(path, []byte(strconv.Itoa(n)), 0o644)
	return n
}

// flood writes lines 1..n (n < 0: forever) of stream s for run r.
func flood(f *os.File, r int, s byte, n int) {
	var buf []byte
	for i := 1; n < 0 || i <= n; i++ {
		buf = append(buf, floodText(r, s, i)...)
		if i%floodBatch == 0 || i == n {
			if _, err := f.Write(buf); err != nil {
				return
			}
			buf = buf[:0]
		}
	}
}

// faultFlood: DIR LINES CRASHES. Run r writes LINES lines on stdout and on
// stderr at once; runs up to CRASHES exit 1 as soon as stdout is done,
// whatever stderr is doing; later runs finish both and exit 0.
func faultFlood(args []string) int {
	lines, _ := strconv.Atoi(args[1])
	crashes, _ := strconv.Atoi(args[2])
	r := nextRun(args[0])
	var wg sync.WaitGroup
	wg.Go(func() { flood(os.Stderr, r, 'e', lines) })
	flood(os.Stdout, r, 'o', lines)
	if r <= crashes {
		return 1
	}
	wg.Wait()
	return 0
}

// faultForever: DIR LINES. Run 1 starts a grandchild in its group, writes
// "PID GPID" to DIR/pids and floods stdout until killed; later runs write
// LINES lines and exit 0.
func faultForever(args []string) int {
	lines, _ := strconv.Atoi(args[1])
	r := nextRun(args[0])
	if r > 1 {
		flood(os.Stdout, r, 'o', lines)
		return 0
	}
	path, argv, env, err := fakechild.Spec("hang")
	if err != nil {
		return 2
	}
	gc := exec.Command(path, argv...)
	gc.Env = env
	if err := gc.Start(); err != nil {
		return 2
	}
	pids := filepath.Join(args[0], "pids")
	_ = os.WriteFile(pids+".tmp", fmt.Appendf(nil, "%d %d", os.Getpid(), gc.Process.Pid), 0o644)
	_ = os.Rename(pids+".tmp", pids)
	flood(os.Stdout, r, 'o', -1)
	return 0
}

// faultTicker writes "tick N" every 2 ms until killed.
func faultTicker([]string) int {
	for i := 1; ; i++ {
		fmt.Fprintf(os.Stdout, "tick %d\n", i)
		time.Sleep(2 * time.Millisecond)
	}
}

// oddBytes is what fault-bytes writes: every byte value, CR LF line ends
// and a last line without its newline.
func oddBytes() []byte {
	var b []byte
	for i := range 256 {
		b = append(b, byte(i))
	}
	b = append(b, "\r\ncrlf one\r\ncrlf two\r\n\x00nul\n"...)
	return append(b, "no newline at the end"...)
}

func faultBytes([]string) int {
	os.Stdout.Write(oddBytes())
	return 0
}

// faultCloseStdout writes a line, closes stdout, then writes 1000 lines to
// stderr and exits 0.
func faultCloseStdout([]string) int {
	fmt.Fprintln(os.Stdout, "before close")
	os.Stdout.Close()
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(os.Stderr, "err %d\n", i)
	}
	fmt.Fprintln(os.Stdout, "after close") // EBADF, ignored
	return 0
}

// faultQuickExit: DIR. Writes 60 000 bytes of numbered lines in one write
// (they fit in the pipe, so the write returns at once) and exits 1: the
// child is gone before the wrapper has read its output.
func faultQuickExit(args []string) int {
	r := nextRun(args[0])
	var b []byte
	for i := 1; i <= 600; i++ {
		b = append(b, floodText(r, 'o', i)...)
	}
	os.Stdout.Write(b)
	return 1
}

// faultOrphan starts a grandchild in a session of its own (out of the
// child's process group, so the group kill misses it) that shares stdout,
// waits for its first line and exits 0, leaving the pipe open.
func faultOrphan([]string) int {
	path, argv, env, err := fakechild.Spec("hang", "orphan ready")
	if err != nil {
		return 2
	}
	gc := exec.Command(path, argv...)
	gc.Env = env
	gc.Stdout = os.Stdout
	gc.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := gc.Start(); err != nil {
		return 2
	}
	fmt.Printf("orphan %d\n", gc.Process.Pid)
	return 0
}

// wrapperProc is a wrapper process started by a test.
type wrapperProc struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

// startFaultWrapper starts `wrapper run --config cfg` as a process. extra, when
// given, is a command line put in front (e.g. unshare).
func startFaultWrapper(t *testing.T, cfg string, extra ...string) *wrapperProc {
	t.Helper()
	path, argv, env := fakechild.Command(t, "wrapper", "run", "--config", cfg)
	cmd := exec.Command(path, argv...)
	if len(extra) > 0 {
		cmd = exec.Command(extra[0], append(append(extra[1:], path), argv...)...)
	}
	cmd.Env = env
	w := &wrapperProc{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = &lockedWriter{w: w.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return w
}

// wait waits for the wrapper's exit and returns its exit code.
func (w *wrapperProc) wait(t *testing.T) int {
	t.Helper()
	err := w.cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("wait for wrapper: %v", err)
	}
	return w.cmd.ProcessState.ExitCode()
}

// logSet returns the files of one log: its backups (plain, or .gz when no
// plain copy is left) in rotation order, then the current file.
func logSet(t *testing.T, path string) []string {
	t.Helper()
	ext := filepath.Ext(path)
	matches, _ := filepath.Glob(strings.TrimSuffix(path, ext) + "-*" + ext + "*")
	seen := map[string]bool{}
	var files []string
	for _, m := range matches {
		plain := strings.TrimSuffix(m, ".gz")
		if seen[plain] {
			continue
		}
		seen[plain] = true
		if _, err := os.Stat(plain); err != nil {
			plain += ".gz"
		}
		files = append(files, plain)
	}
	sort.Strings(files)
	return append(files, path)
}

// readLines calls fn with every line (newline included; the last may lack
// it) of the files of one log, in order.
func readLines(t *testing.T, path string, fn func(file string, line []byte)) (files int) {
	t.Helper()
	set := logSet(t, path)
	for _, name := range set {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				t.Fatal(err)
			}
		}
		br := bufio.NewReaderSize(r, 2<<20)
		for {
			line, err := br.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				t.Fatalf("%s: line longer than 2 MiB", name)
			}
			if len(line) > 0 {
				fn(filepath.Base(name), line)
			}
			if err != nil {
				break
			}
		}
		f.Close()
	}
	return len(set)
}

// waitFile polls until cond holds for the content of path, for events that
// only show in a file.
func waitFile(t *testing.T, what, path string, cond func(string) bool) string {
	t.Helper()
	var s string
	waitFor(t, what, func() bool {
		b, _ := os.ReadFile(path)
		s = string(b)
		return cond(s)
	})
	return s
}

// lockedWriter serialises writes to w (tests read w under mu).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
