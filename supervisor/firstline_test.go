package supervisor

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// startFirstLine starts fake-child helper name with args as a process
// (killed at the end of the test) and returns it with the first line it
// prints on stdout; it fails the test when none comes within waitLimit.
func startFirstLine(t *testing.T, name string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	path, argv, env := fakechild.Command(t, name, args...)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		line <- sc.Text()
	}()
	select {
	case l := <-line:
		return cmd, l
	case <-time.After(waitLimit):
		t.Fatalf("%s printed nothing", name)
		return nil, ""
	}
}

// waitPID waits until Status reports the running child's pid. The child may
// print before the loop publishes the pid, so this polls.
func waitPID(t *testing.T, s *Supervisor) int {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		if st := s.Status(); st.State == StateRunning && st.PID != 0 {
			return st.PID
		}
		if time.Now().After(deadline) {
			t.Fatalf("no running child after %v: %+v", waitLimit, s.Status())
		}
		time.Sleep(time.Millisecond)
	}
}

// isPID matches an output line holding only a number (a pid).
func isPID(l string) bool { _, err := strconv.Atoi(l); return err == nil }

// containEnv names the environment variable that gives the Containment of
// the Supervisor that superviseInHelper runs.
const containEnv = "WRAPPER_TEST_CONTAIN"

// superviseInHelper is the body of the helpers that run a Supervisor in a
// process of their own (so a test can kill that process): it supervises
// fake-child helper name with args, in the containment mode $containEnv
// names, waits for an output line matching each of ready, then prints the
// child's pid followed by the line that matched the first and sleeps until
// killed. It returns a non-zero exit code when something fails.
func superviseInHelper(name string, args []string, ready ...func(string) bool) int {
	path, argv, env, err := fakechild.Spec(name, args...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	out := newSink()
	s, err := New(Options{Path: path, Args: argv, Env: env, Stdout: out,
		Containment: Containment(os.Getenv(containEnv))})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	go s.Run(context.Background())
	var line string
	for i, r := range ready {
		l, ok := out.wait(r, waitLimit)
		if !ok {
			fmt.Fprintf(os.Stderr, "supervise %s: no ready line\n", name)
			return 3
		}
		if i == 0 {
			line = l
		}
	}
	for s.Status().PID == 0 { // the pid is published just after the start
		time.Sleep(time.Millisecond)
	}
	fmt.Println(s.Status().PID, line)
	for {
		time.Sleep(time.Hour)
	}
}
