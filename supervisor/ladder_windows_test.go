package supervisor

import (
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// TestWinStopCtrlBreak: a ctrl_break step reaches a console child started
// in a process group of its own, which a Go program takes for
// os.Interrupt; the step's timeout is an hour: only Ctrl-Break can have
// ended it. The test process, on the child's console meanwhile but not in
// its group, gets nothing (it would die of an unhandled Ctrl-Break).
//
// Wine's server does not implement CTRL_BREAK_EVENT (it answers
// STATUS_NOT_IMPLEMENTED): there the test shows that the send is tried
// and fails, that the ladder goes on to the kill, and skips.
func TestWinStopCtrlBreak(t *testing.T) {
	wine, timeout := underWine(), time.Hour
	if wine {
		timeout = 200 * time.Millisecond
	}
	r := newReal(t, "interrupt", nil, func(o *Options) {
		o.Stop.Steps = []StopStep{{Kind: StepCtrlBreak, Timeout: timeout}}
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("ready"))
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if wine {
		r.log.mustLog(t, "stop signal", "step=ctrl-break", "generate ctrl-break")
		r.log.mustLog(t, "stopped", "by=kill")
		t.Skip("Wine does not deliver CTRL_BREAK_EVENT; see docs/windows-testing.md")
	}
	if got := r.out.Lines(); !slices.Equal(got, []string{"ready", "interrupted"}) {
		t.Fatalf("stdout %q", got)
	}
	if st := r.Status(); st.LastExit.Code != 0 || st.LastStop == nil || st.LastStop.By != string(StepCtrlBreak) {
		t.Fatalf("last exit %+v, last stop %+v", st.LastExit, st.LastStop)
	}
	r.log.mustLog(t, "stopped", "by=ctrl-break", "step=1")
}

// TestWinCtrlBreakOwnGroup: the supervised child, not a hook or a probe,
// is started in a process group of its own when a ctrl_break step may
// target it, and only then (Windows disables Ctrl-C in such a group).
func TestWinCtrlBreakOwnGroup(t *testing.T) {
	brk := Options{Path: "x", Stop: StopOptions{Steps: []StopStep{{Kind: StepCtrlBreak}}}}
	tests := []struct {
		name string
		sp   spawner
		want bool
	}{
		{"child with ctrl_break", spawner{opts: brk, main: true}, true},
		{"hook of that child", spawner{opts: brk}, false},
		{"child without ctrl_break", spawner{opts: Options{Path: "x"}, main: true}, false},
	}
	for _, tt := range tests {
		flags := tt.sp.command().SysProcAttr.CreationFlags
		if got := flags&windows.CREATE_NEW_PROCESS_GROUP != 0; got != tt.want {
			t.Errorf("%s: CREATE_NEW_PROCESS_GROUP %v, want %v", tt.name, got, tt.want)
		}
		if flags&windows.CREATE_SUSPENDED == 0 {
			t.Errorf("%s: not created suspended", tt.name)
		}
	}
}

// TestWinStopWMCloseStep: a wm_close step closes a GUI child at once when
// it is the first step.
func TestWinStopWMCloseStep(t *testing.T) {
	r := newReal(t, "window", nil, func(o *Options) {
		o.Stop.Steps = []StopStep{{Kind: StepWMClose, Timeout: time.Hour}}
	})
	stop := r.background(t)
	first := r.out.waitLine(t, func(string) bool { return true })
	if strings.HasPrefix(first, "no window: ") {
		stop()
		t.Skipf("cannot create a window here (%s); see docs/windows-testing.md", first)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if got := r.out.Lines(); !slices.Equal(got, []string{"ready", "closed"}) {
		t.Fatalf("stdout %q", got)
	}
	r.log.mustLog(t, "stopped", "by=wm-close", "step=1")
}

// TestDefaultLadderWindows: without steps, Ctrl-C then WM_CLOSE, which
// WindowTimeout 0 leaves out.
func TestDefaultLadderWindows(t *testing.T) {
	got := defaultLadder(StopOptions{Timeout: 3 * time.Second, WindowTimeout: 2 * time.Second})
	want := []StopStep{{Kind: StepCtrlC, Timeout: 3 * time.Second}, {Kind: StepWMClose, Timeout: 2 * time.Second}}
	if !slices.EqualFunc(got, want, sameStep) {
		t.Errorf("ladder %+v, want %+v", got, want)
	}
	if got := defaultLadder(StopOptions{Timeout: 3 * time.Second}); !slices.EqualFunc(got, want[:1], sameStep) {
		t.Errorf("ladder without WindowTimeout %+v, want %+v", got, want[:1])
	}
}
