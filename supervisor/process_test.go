package supervisor

import (
	"errors"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func TestRealOutputs(t *testing.T) {
	r := newReal(t, "echo", []string{"hello", "two words"}, nil)
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := r.out.Lines(); !slices.Equal(got, []string{"hello", "two words"}) {
		t.Fatalf("stdout %q", got)
	}
	st := r.Status()
	if st.State != StateExited || st.LastExit.Code != 0 || st.PID != 0 {
		t.Fatalf("status %+v", st)
	}
	r.log.mustLog(t, "child started", "pid=")
	r.log.mustLog(t, "child exited", "code=0", "uptime=")
	// In particular no drain backstop: the pipes reached EOF by themselves.
	r.log.mustNotLog(t, "level=WARN")

	r = newReal(t, "stderr", []string{"oops"}, nil)
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if r.err.String() != "oops\n" || r.out.String() != "" {
		t.Fatalf("stderr %q stdout %q", r.err.String(), r.out.String())
	}
}

func TestRealSameSinkAndNil(t *testing.T) {
	r := newReal(t, "stderr", []string{"both"}, func(o *Options) { o.Stdout = o.Stderr })
	if err := r.run(t); err != nil || r.err.String() != "both\n" {
		t.Fatalf("Run = %v, output %q", err, r.err.String())
	}
	r = newReal(t, "echo", []string{"lost"}, func(o *Options) { o.Stdout, o.Stderr = nil, nil })
	if err := r.run(t); err != nil {
		t.Fatalf("Run with discarded output = %v", err)
	}
}

// TestRealRestartAfterCrash: on-failure restarts a crashed child, and the
// output of both runs reaches the sink.
func TestRealRestartAfterCrash(t *testing.T) {
	r := newReal(t, "exit", []string{"3", "crashing"}, func(o *Options) {
		o.Restart = RestartOptions{Policy: OnFailure, Delay: 10 * time.Millisecond, MaxFailures: 2}
	})
	err := r.run(t)
	if !errors.Is(err, ErrGaveUp) {
		t.Fatalf("Run = %v, want ErrGaveUp", err)
	}
	if got := r.out.Lines(); !slices.Equal(got, []string{"crashing", "crashing"}) {
		t.Fatalf("stdout %q, want two runs' output", got)
	}
	if st := r.Status(); st.Restarts != 1 || st.Failures != 2 || st.LastExit.Code != 3 || st.State != StateGaveUp {
		t.Fatalf("status %+v", st)
	}
	r.log.mustLog(t, "restarting", "in=")
	r.log.mustLog(t, "gave up", "failures=2")
}

func TestRealStartFailure(t *testing.T) {
	missing := filepath.Join(fakechild.WorkDir(t), "no-such-program")
	s, err := New(Options{Path: missing,
		Restart: RestartOptions{Delay: time.Millisecond, MaxFailures: 2}})
	if err != nil {
		t.Fatal(err)
	}
	err = (&real{Supervisor: s}).run(t)
	if !errors.Is(err, ErrGaveUp) {
		t.Fatalf("Run = %v, want ErrGaveUp", err)
	}
	st := s.Status()
	notFound := st.LastExit != nil && (errors.Is(st.LastExit.Err, fs.ErrNotExist) || // Unix
		errors.Is(st.LastExit.Err, exec.ErrNotFound)) // Windows: no file with a PATHEXT extension
	if st.Failures != 2 || st.Restarts != 1 || !notFound ||
		st.LastExit.Code != -1 || st.LastExit.Uptime != 0 {
		t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
	}
}

func TestRealEnvAndDir(t *testing.T) {
	r := newReal(t, "env", nil, func(o *Options) { o.Env = append(o.Env, "SUPERVISOR_TEST=42") })
	if err := r.run(t); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.out.Lines(), "SUPERVISOR_TEST=42") {
		t.Fatalf("environment lacks SUPERVISOR_TEST=42:\n%s", r.out)
	}

	dir := fakechild.WorkDir(t)
	r = newReal(t, "cwd", nil, func(o *Options) { o.Dir = dir })
	if err := r.run(t); err != nil {
		t.Fatal(err)
	}
	got, err1 := filepath.EvalSymlinks(strings.TrimSpace(r.out.String()))
	want, err2 := filepath.EvalSymlinks(dir)
	if err1 != nil || err2 != nil || got != want {
		t.Fatalf("cwd %q (%v), want %q (%v)", got, err1, want, err2)
	}
}

// TestRealOutputDrainedBeforeRunReturns: every line, and a final partial
// line, has been delivered when Run returns.
func TestRealOutputDrainedBeforeRunReturns(t *testing.T) {
	const n = 50000
	r := newReal(t, "flood", []string{strconv.Itoa(n)}, nil)
	if err := r.run(t); err != nil {
		t.Fatal(err)
	}
	lines := r.out.Lines()
	if len(lines) != n || lines[n-1] != "line "+strconv.Itoa(n) {
		t.Fatalf("%d lines delivered, want %d", len(lines), n)
	}

	r = newReal(t, "write-then-exit", []string{"no newline"}, nil)
	if err := r.run(t); err != nil {
		t.Fatal(err)
	}
	if got := r.out.String(); got != "no newline" {
		t.Fatalf("stdout %q", got)
	}
}
