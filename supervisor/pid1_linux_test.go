package supervisor

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() {
	testHelpers = append(testHelpers, "supervise-pid1")
	fakechild.Register("supervise-pid1", supervisePID1Helper)
}

// pid1Script starts five short background jobs whose parents exit at once,
// so that they die as orphans of PID 1; waits until each is gone for good,
// zombie included (kill -0 succeeds on a zombie), which only a reaping PID
// 1 brings about; then says "usr1" for every SIGUSR1 it gets.
const pid1Script = `pids=$(for i in 1 2 3 4 5; do ( true & echo $! ); done)
for p in $pids; do while kill -0 $p 2>/dev/null; do sleep 0.01; done; done
echo reaped
trap 'echo usr1' USR1
echo ready
while :; do sleep 1000 & wait $!; done`

// supervisePID1Helper runs as PID 1 of a new pid namespace what `wrapper
// run` runs: a Supervisor of pid1Script until SIGTERM, its output on
// stdout, its log on stderr.
func supervisePID1Helper([]string) int {
	if os.Getpid() != 1 {
		fmt.Fprintf(os.Stderr, "supervise-pid1: pid %d, want 1\n", os.Getpid())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	s, err := New(Options{Path: "/bin/sh", Args: []string{"-c", pid1Script}, Stdout: os.Stdout, Stderr: os.Stderr,
		Restart: RestartOptions{Policy: Never}, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err == nil {
		err = s.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestRealPID1ReapsAndForwards: the supervisor as PID 1 of a pid namespace
// (a container's init) reaps the orphans that die in it, so that none stays
// a zombie, passes SIGUSR1 on to the child, and stops on SIGTERM.
func TestRealPID1ReapsAndForwards(t *testing.T) {
	ns := startPID1(t)
	ns.out.waitLine(t, equals("reaped"))
	ns.out.waitLine(t, equals("ready"))
	pid1 := ns.findPID1(t)
	if err := syscall.Kill(pid1, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	ns.out.waitLine(t, equals("usr1"))
	if err := syscall.Kill(pid1, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ns.waited:
	case <-time.After(waitLimit):
		t.Fatalf("supervise-pid1 still runs %v after SIGTERM", waitLimit)
	}
	if ns.err != nil {
		t.Fatalf("supervise-pid1: %v; log:\n%s", ns.err, &ns.log)
	}
	for _, want := range []string{"pid1=true", "forwarding signal", "signal=SIGUSR1", "by=signal"} {
		if !bytes.Contains(ns.log.Bytes(), []byte(want)) {
			t.Errorf("log lacks %q:\n%s", want, &ns.log)
		}
	}
}

// pidNS is supervise-pid1 running as PID 1 of a new pid namespace.
type pidNS struct {
	unshare int   // the unshare process, its parent
	out     *sink // its stdout: the child's output
	log     bytes.Buffer
	err     error         // its exit, once waited is closed
	waited  chan struct{} // closed once it has exited
}

// startPID1 starts supervise-pid1 as PID 1 of a new pid namespace (killed at
// the end of the test), or skips the test where none can be made.
func startPID1(t *testing.T) *pidNS {
	if out, err := exec.Command("unshare", "-pf", "--mount-proc", "true").CombinedOutput(); err != nil {
		t.Skipf("no pid namespace here (unshare -pf --mount-proc: %v: %s)", err, out)
	}
	path, argv, env := fakechild.Command(t, "supervise-pid1")
	cmd := exec.Command("unshare", append([]string{"-pf", "--mount-proc", "--kill-child", path}, argv...)...)
	cmd.Env = env
	ns := &pidNS{out: newSink(), waited: make(chan struct{})}
	cmd.Stderr = &ns.log
	// A failed test kills unshare; its --kill-child takes the namespace's
	// PID 1, and the copy of stderr must not wait for anything left.
	cmd.WaitDelay = waitLimit
	stdout, w, err := os.Pipe() // ours, not StdoutPipe's, which Wait closes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdout.Close() })
	cmd.Stdout = w
	err = cmd.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	go ns.out.ReadFrom(stdout)
	go func() {
		ns.err = cmd.Wait()
		close(ns.waited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-ns.waited
		if t.Failed() {
			t.Logf("output:\n%s\nlog:\n%s", ns.out, &ns.log)
		}
	})
	ns.unshare = cmd.Process.Pid
	return ns
}

// findPID1 returns the pid, outside the namespace, of its PID 1: unshare's
// only child once it has printed something.
func (ns *pidNS) findPID1(t *testing.T) int {
	t.Helper()
	kids, err := children(ns.unshare)
	if err != nil || len(kids) != 1 {
		t.Fatalf("children of unshare: %v, %v", kids, err)
	}
	return kids[0]
}
