package supervisor

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"golang.org/x/sys/unix"
)

func init() {
	testHelpers = append(testHelpers, "supervise")
	fakechild.Register("supervise", superviseHelper)
}

// superviseHelper supervises a "hang" child in a process of its own and
// prints "<child pid> ready" once the child runs.
func superviseHelper([]string) int {
	return superviseInHelper("hang", []string{"ready"}, equals("ready"))
}

// TestRealWrapperKilledTakesChild: when the wrapper dies by SIGKILL, no
// stop ladder runs; the parent-death signal must still take the child, in
// every containment mode.
func TestRealWrapperKilledTakesChild(t *testing.T) {
	for _, mode := range containModes(t) {
		t.Run(string(mode), func(t *testing.T) {
			inMode(t, mode)
			cmd, l := startFirstLine(t, "supervise")
			pid, err := strconv.Atoi(strings.TrimSuffix(l, " ready"))
			if err != nil {
				t.Fatalf("supervise printed %q", l)
			}
			killLater(t, pid)
			if gone(pid) {
				t.Fatalf("child %d not running before the wrapper was killed", pid)
			}
			cmd.Process.Kill() // SIGKILL: the wrapper gets no chance to clean up
			cmd.Wait()
			waitGone(t, pid)
		})
	}
}

// TestOutputPipeSize: the pipe holds pipeSize, so that a fast child runs
// ahead while the wrapper writes a batch (docs/performance.md).
func TestOutputPipeSize(t *testing.T) {
	_, w := testOutputPipe(t)
	max, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if err != nil {
		t.Skipf("no pipe-max-size to compare with: %v", err)
	}
	if limit, _ := strconv.Atoi(strings.TrimSpace(string(max))); limit < pipeSize && os.Geteuid() != 0 {
		t.Skipf("pipe-max-size is %d, below %d: the enlargement is refused here", limit, pipeSize)
	}
	if size := fcntl(t, w, unix.F_GETPIPE_SZ); size < pipeSize {
		t.Fatalf("pipe size = %d, want at least %d", size, pipeSize)
	}
}
