package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// realHook runs a fakechild helper as a hook of event and returns the
// hook's error and the log.
func realHook(t *testing.T, timeout time.Duration, helper string, args ...string) (error, *logBuf) {
	t.Helper()
	path, argv, env := fakechild.Command(t, helper, args...)
	lb := &logBuf{}
	r := hookRun{event: eventPostStop, hook: Hook{Argv: append([]string{path}, argv...), Timeout: timeout},
		dir: fakechild.WorkDir(t), env: env, log: slog.New(slog.NewTextHandler(lb, nil))}
	errc := make(chan error, 1)
	go func() { errc <- runHook(context.Background(), r) }()
	select {
	case err := <-errc:
		return err, lb
	case <-time.After(waitLimit):
		t.Fatalf("hook did not return within %v", waitLimit)
		return nil, nil
	}
}

func TestRunHookOutputAndExit(t *testing.T) {
	err, lb := realHook(t, waitLimit, "echo", "first line", "second")
	if err != nil {
		t.Fatalf("hook = %v", err)
	}
	lb.mustLog(t, "level=INFO", "hook output", "hook=post_stop", "stream=stdout", `line="first line"`)
	lb.mustLog(t, "hook output", "line=second")

	err, lb = realHook(t, waitLimit, "stderr", "oops")
	if err != nil {
		t.Fatalf("hook = %v", err)
	}
	lb.mustLog(t, "hook output", "stream=stderr", "line=oops")

	if err, _ := realHook(t, waitLimit, "exit", "4"); err == nil || err.Error() != "exited with code 4" {
		t.Fatalf("hook exiting 4 = %v", err)
	}
}

// TestRunHookOutputBounded: at most maxHookRecords records per run, lines
// cut at maxHookLine, and the hook is drained to its end all the same.
func TestRunHookOutputBounded(t *testing.T) {
	err, lb := realHook(t, waitLimit, "flood", "5000")
	if err != nil {
		t.Fatalf("hook = %v", err)
	}
	if n := strings.Count(lb.String(), "msg=\"hook output\""); n != maxHookRecords {
		t.Fatalf("%d output records, want %d", n, maxHookRecords)
	}
	lb.mustLog(t, "level=WARN", "hook output truncated", fmt.Sprint("records=", maxHookRecords))
	lb.mustNotLog(t, "line=\"line 101\"")

	err, lb = realHook(t, waitLimit, "longline", "10000")
	if err != nil {
		t.Fatalf("hook = %v", err)
	}
	m := regexp.MustCompile(`line=(x+)\n`).FindAllStringSubmatch(lb.String(), -1)
	if len(m) != 1 || len(m[0][1]) != maxHookLine {
		t.Fatalf("long line logged as %d records, want one of %d bytes:\n%.300s", len(m), maxHookLine, lb.String())
	}
}

func TestRunHookTimeout(t *testing.T) {
	start := time.Now()
	err, _ := realHook(t, 200*time.Millisecond, "hang", "started")
	if err == nil || err.Error() != "timed out after 200ms (killed)" {
		t.Fatalf("hanging hook = %v", err)
	}
	if d := time.Since(start); d >= defaultDrainTimeout {
		t.Fatalf("hook returned after %v: the kill did not end it", d)
	}
}

// getenv is a fakechild helper that prints NAME=value for each argument.
func getenv(args []string) int {
	for _, name := range args {
		fmt.Printf("%s=%s\n", name, os.Getenv(name))
	}
	return 0
}

func init() {
	fakechild.Register("getenv", getenv)
	testHelpers = append(testHelpers, "getenv")
}

// TestRealHooks runs a real child with real hooks: the hooks get the
// child's environment, the WRAPPER_* variables, and their output reaches
// the log.
func TestRealHooks(t *testing.T) {
	vars := []string{"APP_SETTING", "WRAPPER_EVENT", "WRAPPER_CHILD_PID", "WRAPPER_EXIT_CODE", "WRAPPER_RESTARTS"}
	r := newReal(t, "getenv", vars, func(o *Options) {
		// The hooks run the same helper: they share the child's environment,
		// which names the helper.
		hook := append([]string{o.Path}, o.Args...)
		o.Env = append(o.Env, "APP_SETTING=42")
		o.Hooks = Hooks{PreStart: Hook{Argv: hook}, PostStop: Hook{Argv: hook}}
	})
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := r.out.Lines(); !slices.Contains(got, "APP_SETTING=42") || !slices.Contains(got, "WRAPPER_EVENT=") {
		t.Fatalf("child output %q", got)
	}
	for _, want := range []struct{ hook, line string }{
		{"pre_start", "APP_SETTING=42"},
		{"pre_start", "WRAPPER_EVENT=pre_start"},
		{"pre_start", "WRAPPER_CHILD_PID="},
		{"pre_start", "WRAPPER_RESTARTS=0"},
		{"post_stop", "WRAPPER_EVENT=post_stop"},
		{"post_stop", "WRAPPER_EXIT_CODE=0"},
		{"post_stop", fmt.Sprintf("WRAPPER_CHILD_PID=%d", pidOf(t, r.log.String()))},
	} {
		r.log.mustLog(t, "hook output", "hook="+want.hook, fmt.Sprintf("line=%q", want.line))
	}
	r.log.mustLog(t, "hook done", "hook=post_stop")
	if st := r.Status(); st.State != StateExited {
		t.Fatalf("status %+v", st)
	}
}

// pidOf returns the pid of the "child started" log line.
func pidOf(t *testing.T, log string) int {
	t.Helper()
	m := regexp.MustCompile(`msg="child started" pid=(\d+)`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no child started in the log:\n%s", log)
	}
	var pid int
	fmt.Sscan(m[1], &pid)
	return pid
}
