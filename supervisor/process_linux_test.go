package supervisor

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() {
	testHelpers = append(testHelpers, "supervise")
	fakechild.Register("supervise", superviseHelper)
}

// superviseHelper runs a Supervisor of a "hang" child in a separate process
// and prints "child <pid>" once the child runs, then waits to be killed.
func superviseHelper([]string) int {
	path, argv, env, err := fakechild.Spec("hang", "ready")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	out := newSink()
	s, err := New(Options{Path: path, Args: argv, Env: env, Stdout: out})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	go s.Run(context.Background())
	if _, ok := out.wait(equals("ready"), waitLimit); !ok {
		fmt.Fprintln(os.Stderr, "supervise: child not ready")
		return 3
	}
	for s.Status().PID == 0 { // the pid is published just after the start
		time.Sleep(time.Millisecond)
	}
	fmt.Println("child", s.Status().PID)
	for {
		time.Sleep(time.Hour)
	}
}

// TestRealWrapperKilledTakesChild: when the wrapper dies by SIGKILL, no
// stop ladder runs; the parent-death signal must still take the child.
func TestRealWrapperKilledTakesChild(t *testing.T) {
	cmd, l := startFirstLine(t, "supervise")
	pid, err := strconv.Atoi(strings.TrimPrefix(l, "child "))
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
