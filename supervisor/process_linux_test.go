package supervisor

import (
	"strconv"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
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
// stop ladder runs; the parent-death signal must still take the child.
func TestRealWrapperKilledTakesChild(t *testing.T) {
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
}
