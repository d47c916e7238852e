package supervisor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// exitSequence is a fakechild helper: `exit-sequence FILE CODE...` appends
// a line to FILE and exits with the CODE of this run (the first for the
// first run, and so on; the last one repeats), so that one command plays
// a different exit on every restart.
func exitSequence(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: exit-sequence FILE CODE...")
		return 2
	}
	b, _ := os.ReadFile(args[0])
	n := strings.Count(string(b), "\n")
	f, err := os.OpenFile(args[0], os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Fprintln(f, "run")
	f.Close()
	code, _ := strconv.Atoi(args[1+min(n, len(args)-2)])
	return code
}

func init() {
	fakechild.Register("exit-sequence", exitSequence)
	testHelpers = append(testHelpers, "exit-sequence")
}

// runs counts the runs exit-sequence recorded in file.
func runs(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// TestRealOnExit runs real children whose exit codes the actions map:
// restart under the policy never (on a success code, without a failure;
// on another code, as a failure), then stop, which ends Run with nil
// under the policy always; and fatal, which ends it with an *ExitError.
func TestRealOnExit(t *testing.T) {
	file := filepath.Join(t.TempDir(), "runs")
	r := newReal(t, "exit-sequence", []string{file, "0", "9", "75"}, func(o *Options) {
		o.Restart = RestartOptions{Policy: Never, OnExit: map[int]ExitAction{0: ActionRestart, 9: ActionRestart, 75: ActionStop}}
	})
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v, want nil (75 is stop)", err)
	}
	if n := runs(t, file); n != 3 {
		t.Fatalf("%d runs, want 3 (0 restarts, 9 restarts, 75 stops)", n)
	}
	if st := r.Status(); st.State != StateExited || st.Restarts != 2 || st.Failures != 0 || st.LastExit.Code != 75 {
		t.Fatalf("status %+v", st)
	}
	r.log.mustLog(t, "restarting", "reason=\"success exit code 0, action restart\"", "failures=0")
	r.log.mustLog(t, "restarting", "reason=\"exit code 9, action restart\"", "failures=1")
	r.log.mustLog(t, "not restarting", "reason=\"exit code 75, action stop\"")

	file = filepath.Join(t.TempDir(), "runs")
	r = newReal(t, "exit-sequence", []string{file, "1", "0"}, func(o *Options) {
		o.Restart = RestartOptions{Policy: Always, OnExit: map[int]ExitAction{0: ActionFatal}}
	})
	var ee *ExitError
	if err := r.run(t); !errors.As(err, &ee) || ee.Exit.Code != 0 {
		t.Fatalf("Run = %v, want an *ExitError for code 0", err)
	}
	if n := runs(t, file); n != 2 {
		t.Fatalf("%d runs, want 2 (1 restarts under always, 0 is fatal)", n)
	}
}
