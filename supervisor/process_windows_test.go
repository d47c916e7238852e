package supervisor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestWinStopCtrlC: a console child with an os/signal handler gets Ctrl-C,
// and the line it writes on the way out reaches the sink. The stop timeout
// is an hour: only the Ctrl-C can have ended it. The test process gets its
// own Ctrl-C too and, having no handler of its own, would die of it were
// the echo not swallowed.
func TestWinStopCtrlC(t *testing.T) {
	r := newReal(t, "interrupt", nil, func(o *Options) {
		o.Stop = StopOptions{Timeout: time.Hour, WindowTimeout: time.Hour}
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("ready"))
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if got := r.out.Lines(); !slices.Equal(got, []string{"ready", "interrupted"}) {
		t.Fatalf("stdout %q", got)
	}
	if st := r.Status(); st.State != StateStopped || st.LastExit.Code != 0 {
		t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
	}
	if echoPending() {
		t.Error("the test process never got the echo of its Ctrl-C")
	}
	r.log.mustLog(t, "stopping", "by=ctrl-c", "timeout=1h0m0s", "window_timeout=1h0m0s")
	r.log.mustLog(t, "stopped", "by=ctrl-c")
	r.log.mustNotLog(t, "level=WARN")
}

// TestWinStopKillsAfterTimeout: a child that ignores Ctrl-C and has no
// window is killed at the stop timeout. The window timeout is an hour, so
// Run returning at all shows the WM_CLOSE step was skipped.
func TestWinStopKillsAfterTimeout(t *testing.T) {
	r := newReal(t, "ignore-interrupt", nil, func(o *Options) {
		o.Stop = StopOptions{Timeout: 300 * time.Millisecond, WindowTimeout: time.Hour}
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("ready"))
	c := openProc(t, waitPID(t, r.Supervisor))
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	waitEnded(t, c, "child")
	if st := r.Status(); st.LastExit.Code != killExitCode || st.State != StateStopped {
		t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
	}
	r.log.mustLog(t, "stop timeout, killing the process tree")
	r.log.mustLog(t, "stopped", "by=kill")
	r.log.mustNotLog(t, "closing windows")
}

// TestWinStopSkipsCtrlCWithoutConsole: a child that left its console cannot
// get Ctrl-C; the ladder goes on at once instead of waiting the (hour-long)
// stop timeout.
func TestWinStopSkipsCtrlCWithoutConsole(t *testing.T) {
	r := newReal(t, "no-console", nil, func(o *Options) {
		o.Stop = StopOptions{Timeout: time.Hour, WindowTimeout: time.Hour}
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("ready"))
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	r.log.mustLog(t, "stop step skipped", "step=ctrl-c", "attach to the child's console")
	r.log.mustLog(t, "stopped", "by=kill")
}

// TestWinStopWindow: a GUI child that ignores Ctrl-C closes on WM_CLOSE.
// The window timeout is an hour: only WM_CLOSE can have ended it.
func TestWinStopWindow(t *testing.T) {
	r := newReal(t, "window", nil, func(o *Options) {
		o.Stop = StopOptions{Timeout: 200 * time.Millisecond, WindowTimeout: time.Hour}
	})
	stop := r.background(t)
	first := r.out.waitLine(t, func(string) bool { return true })
	if strings.HasPrefix(first, "no window: ") {
		stop()
		t.Skipf("cannot create a window here (%s); see docs/windows-testing.md", first)
	}
	if first != "ready" {
		t.Fatalf("first line %q", first)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if got := r.out.Lines(); !slices.Equal(got, []string{"ready", "closed"}) {
		t.Fatalf("stdout %q", got)
	}
	r.log.mustLog(t, "closing windows", "windows=", "timeout=1h0m0s")
	r.log.mustLog(t, "stopped", "by=wm-close")
}

// TestWinStopBatch: Ctrl-C ends a batch file without hanging on "Terminate
// batch job (Y/N)?": the child's stdin is NUL, so cmd.exe reads end of file
// for an answer. The batch would run a minute more, and the stop timeout is
// an hour: Run returning within the test's wait limit without "after" shows
// Ctrl-C ended the batch.
func TestWinStopBatch(t *testing.T) {
	for _, ext := range []string{".cmd", ".bat"} {
		t.Run(ext, func(t *testing.T) {
			script := filepath.Join(fakechild.WorkDir(t), "child"+ext)
			body := "@echo off\r\necho ready\r\nping -n 60 127.0.0.1 >nul\r\necho after\r\n"
			if err := os.WriteFile(script, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			// Any helper will do: the options replace it with the script.
			r := newReal(t, "echo", nil, func(o *Options) {
				o.Path, o.Args, o.Env = script, nil, nil
				o.Stop = StopOptions{Timeout: time.Hour, WindowTimeout: time.Hour}
			})
			stop := r.background(t)
			r.out.waitLine(t, equals("ready\r")) // cmd.exe ends lines with CRLF
			if err := stop(); err != nil {
				t.Fatalf("Run = %v, want nil", err)
			}
			if got := r.out.Lines(); !slices.Equal(got, []string{"ready\r"}) {
				t.Fatalf("stdout %q: the batch went on", got)
			}
			r.log.mustLog(t, "stopped", "by=ctrl-c")
		})
	}
}
