package supervisor

import (
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() { testHelpers = append(testHelpers, "serve", "post", "cat") }

// listening waits for the serve helper's first line and returns its URL.
func listening(t *testing.T, r *real) string {
	t.Helper()
	l := r.out.waitLine(t, func(l string) bool { return strings.HasPrefix(l, "listening ") })
	return strings.TrimPrefix(l, "listening ")
}

// TestStdinNullEndsEOFServer is what a new user sees with a server that
// stops at the end of its standard input, under the default stdin (the
// null device): it exits 0 at once, which the default policy (on-failure)
// counts as a success and does not restart.
func TestStdinNullEndsEOFServer(t *testing.T) {
	r := newReal(t, "serve", []string{"eof"}, func(o *Options) { o.Restart = RestartOptions{} })
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	st := r.Status()
	if st.State != StateExited || st.LastExit.Code != 0 || st.Restarts != 0 || st.LastStop != nil {
		t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
	}
	if got := r.out.Lines(); len(got) != 2 || got[1] != "stdin closed" {
		t.Fatalf("stdout %q", got)
	}
	r.log.mustLog(t, "not restarting")
}

// TestStdinOpenKeepsEOFServer: with StdinOpen the same server keeps
// serving, until the close_stdin step ends it. The step's timeout is an
// hour: only that step can have ended it.
func TestStdinOpenKeepsEOFServer(t *testing.T) {
	r := newReal(t, "serve", []string{"eof"}, func(o *Options) {
		o.Stdin = Stdin{Mode: StdinOpen}
		o.Stop.Steps = []StopStep{{Kind: StepCloseStdin, Timeout: time.Hour}}
	})
	stop := r.background(t)
	fakechild.GetOK(t, listening(t, r))
	if st := r.Status(); st.State != StateRunning {
		t.Fatalf("status %+v", st)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	st := r.Status()
	if st.LastExit.Code != 0 || st.LastExit.Signal != "" || st.LastStop == nil || st.LastStop.Step != 1 ||
		st.LastStop.By != string(StepCloseStdin) {
		t.Fatalf("last exit %+v, last stop %+v", st.LastExit, st.LastStop)
	}
	if got := r.out.Lines(); got[len(got)-1] != "stdin closed" {
		t.Fatalf("stdout %q", got)
	}
	r.log.mustLog(t, "stopped", "by=close-stdin", "step=1")
}

// TestStdinFile: the child reads the file, whose end ends it; a file that
// cannot be opened fails the start with a message that names it.
func TestStdinFile(t *testing.T) {
	file := filepath.Join(fakechild.WorkDir(t), "input.txt")
	if err := os.WriteFile(file, []byte("first\nsecond\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newReal(t, "cat", nil, func(o *Options) { o.Stdin = Stdin{Mode: StdinFile, File: file} })
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := r.out.Lines(); !slices.Equal(got, []string{"first", "second"}) {
		t.Fatalf("stdout %q", got)
	}
	missing := file + ".missing"
	r = newReal(t, "cat", nil, func(o *Options) { o.Stdin = Stdin{Mode: StdinFile, File: missing} })
	var ee *ExitError
	err := r.run(t)
	if !errors.As(err, &ee) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "open stdin file") ||
		!strings.Contains(err.Error(), missing) {
		t.Fatalf("Run = %v, want a start failure naming the stdin file", err)
	}
}

// ignoredStep is this system's usual first step, which the serve helper's
// ignore-term ignores: SIGTERM on Unix, Ctrl-C on Windows.
func ignoredStep(d time.Duration) StopStep {
	if slices.Contains(stepKinds, StepSignal) {
		return StopStep{Kind: StepSignal, Signal: "TERM", Timeout: d}
	}
	return StopStep{Kind: StepCtrlC, Timeout: d}
}

// TestStopStepsCloseStdinAfterIgnoredStep: a server that ignores SIGTERM
// (Ctrl-C on Windows) but stops at the end of its stdin is stopped by
// [that step 200ms, close_stdin] at step 2, with exit code 0. close_stdin's
// timeout is an hour: only that step can have ended it.
func TestStopStepsCloseStdinAfterIgnoredStep(t *testing.T) {
	r := newReal(t, "serve", []string{"eof", "ignore-term"}, func(o *Options) {
		o.Stdin = Stdin{Mode: StdinOpen}
		o.Stop.Steps = []StopStep{ignoredStep(200 * time.Millisecond), {Kind: StepCloseStdin, Timeout: time.Hour}}
	})
	stop := r.background(t)
	listening(t, r)
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	st := r.Status()
	if st.LastExit.Code != 0 || st.LastStop == nil || st.LastStop.Step != 2 || st.LastStop.By != string(StepCloseStdin) ||
		st.LastStop.After < 200*time.Millisecond {
		t.Fatalf("last exit %+v, last stop %+v", st.LastExit, st.LastStop)
	}
	r.log.mustLog(t, "stopping", "steps=")
	r.log.mustLog(t, "stopped", "by=close-stdin", "step=2")
}

// freeAddr returns a loopback address no one listens on (it did a moment
// ago: a port the system handed out and took back).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestStopStepHTTP: a refused connection and a status other than 2xx skip
// their steps at once; the POST the server accepts ends it at step 3. Every
// timeout is an hour.
func TestStopStepHTTP(t *testing.T) {
	addr := freeAddr(t)
	refused := "http://" + freeAddr(t) + "/stop"
	r := newReal(t, "serve", []string{addr, "ignore-term"}, func(o *Options) {
		o.Stop.Steps = []StopStep{
			{Kind: StepHTTP, URL: refused, Timeout: time.Hour},
			{Kind: StepHTTP, URL: "http://" + addr + "/stop", Method: http.MethodDelete, Timeout: time.Hour}, // 405
			{Kind: StepHTTP, URL: "http://" + addr + "/stop", Timeout: time.Hour},
		}
	})
	stop := r.background(t)
	listening(t, r)
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if st := r.Status(); st.LastExit.Code != 0 || st.LastStop == nil || st.LastStop.Step != 3 || st.LastStop.By != "http" {
		t.Fatalf("last exit %+v, last stop %+v", st.LastExit, st.LastStop)
	}
	if got := r.out.Lines(); got[len(got)-1] != "stopped by post" {
		t.Fatalf("stdout %q", got)
	}
	r.log.mustLog(t, "stop step skipped", "step=http", "connect")
	r.log.mustLog(t, "stop step skipped", "step=http", "status 405")
}

// TestStopStepCommand: a command that fails skips its step at once; one
// that asks the server to stop (a POST) ends it at step 2.
func TestStopStepCommand(t *testing.T) {
	addr := freeAddr(t)
	// The commands get the child's environment, which names the serve
	// helper: Inherit names theirs.
	fail, failArgs := fakechild.Inherit(t, "exit", "3")
	post, postArgs := fakechild.Inherit(t, "post", "http://"+addr+"/stop")
	r := newReal(t, "serve", []string{addr, "ignore-term"}, func(o *Options) {
		o.Stop.Steps = []StopStep{
			{Kind: StepCommand, Command: append([]string{fail}, failArgs...), Timeout: time.Hour},
			{Kind: StepCommand, Command: append([]string{post}, postArgs...), Timeout: time.Hour},
		}
	})
	stop := r.background(t)
	listening(t, r)
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if st := r.Status(); st.LastExit.Code != 0 || st.LastStop == nil || st.LastStop.Step != 2 || st.LastStop.By != "command" {
		t.Fatalf("last exit %+v, last stop %+v", st.LastExit, st.LastStop)
	}
	r.log.mustLog(t, "stop step skipped", "step=command", "exited with code 3")
	r.log.mustLog(t, "hook output", "hook=stop", `line="200 OK"`)
}

// TestStopStepsAllTimeOut: a server that ignores every step is killed once
// the last step's timeout has passed, and the status says so.
func TestStopStepsAllTimeOut(t *testing.T) {
	r := newReal(t, "serve", []string{"eof", "ignore-term"}, func(o *Options) {
		o.Stdin = Stdin{Mode: StdinOpen}
		o.Stop.Steps = []StopStep{ignoredStep(100 * time.Millisecond), ignoredStep(100 * time.Millisecond)}
	})
	stop := r.background(t)
	listening(t, r)
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	st := r.Status()
	if st.LastStop == nil || st.LastStop.By != StopKill || st.LastStop.Step != 0 || st.LastExit.Code == 0 {
		t.Fatalf("last exit %+v, last stop %+v", st.LastExit, st.LastStop)
	}
	if got := r.out.Lines(); slices.Contains(got, "stdin closed") {
		t.Fatalf("stdout %q: the child saw its stdin end", got)
	}
	r.log.mustLog(t, "stop timeout, killing the process tree")
	r.log.mustLog(t, "stopped", "by=kill")
}
