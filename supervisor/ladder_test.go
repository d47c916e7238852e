package supervisor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// windowedProc is a fake child with the Windows stop ladder: Ctrl-C (stop),
// which it may ignore or be unable to receive, then WM_CLOSE to its windows.
type windowedProc struct {
	*fakeProc
	windows    int  // how many windows closeWindows finds
	closeExits bool // WM_CLOSE makes it exit
	noConsole  bool // stop cannot reach it
	closes     int
}

func (p *windowedProc) step(s StopStep) error {
	if p.noConsole {
		return fmt.Errorf("%w: no console", errStepSkipped)
	}
	return p.fakeProc.step(s)
}

func (p *windowedProc) closeWindows() (int, error) {
	p.closes++
	if p.closeExits && p.windows > 0 {
		p.finish(0, "")
	}
	return p.windows, nil
}

// TestLadderWindows drives the loop through Windows' default stop ladder
// (see defaultLadder) with a windowed fake, on every system: Ctrl-C and
// its timeout, WM_CLOSE and its timeout, the kill, and which step the log
// and the status credit.
func TestLadderWindows(t *testing.T) {
	const timeout, windowTimeout = 5 * s1, 3 * s1
	tests := []struct {
		name      string
		proc      windowedProc
		noWindowT bool // WindowTimeout 0: the step is off
		by        string
		after     time.Duration // from the cancel to Run's return
		closes    int
		kills     int
	}{
		{"ctrl-c", windowedProc{windows: 1, closeExits: true}, false, "ctrl-c", 0, 0, 0},
		{"wm-close", windowedProc{windows: 2, closeExits: true}, false, "wm-close", timeout, 1, 0},
		{"wm-close ignored", windowedProc{windows: 1}, false, "kill", timeout + windowTimeout, 1, 1},
		{"no window", windowedProc{closeExits: true}, false, "kill", timeout, 1, 1},
		{"window step off", windowedProc{windows: 1, closeExits: true}, true, "kill", timeout, 0, 1},
		{"no console", windowedProc{windows: 1, closeExits: true, noConsole: true}, false, "wm-close", 0, 1, 0},
		{"no console, no window", windowedProc{noConsole: true}, false, "kill", 0, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, lb := newFake(t, RestartOptions{}, StopOptions{Timeout: timeout})
				// Set past New, which refuses wm_close outside Windows.
				s.opts.Stop.Steps = []StopStep{{Kind: StepCtrlC, Timeout: timeout}}
				if !tt.noWindowT {
					s.opts.Stop.Steps = append(s.opts.Stop.Steps, StopStep{Kind: StepWMClose, Timeout: windowTimeout})
				}
				p := tt.proc
				ignore := tt.name != "ctrl-c"
				s.start = func() (process, error) {
					f.start() // records the start; its hanging child is unused
					p.fakeProc = &fakeProc{id: 1, exit: make(chan Exit, 1), ignoreStop: ignore}
					return &p, nil
				}
				ctx, cancel := context.WithCancel(t.Context())
				errc := runAsync(ctx, s)
				time.Sleep(s1)
				stopRun(t, cancel, errc)
				if d := time.Since(f.t0) - s1; d != tt.after {
					t.Errorf("Run returned %v after the cancel, want %v", d, tt.after)
				}
				if _, kills := p.counts(); p.closes != tt.closes || kills != tt.kills {
					t.Errorf("closeWindows %d kills %d, want %d %d", p.closes, kills, tt.closes, tt.kills)
				}
				lb.mustLog(t, "stopped", "by="+tt.by)
				if tt.proc.noConsole {
					lb.mustLog(t, "stop step skipped", "no console")
				}
				if r := s.Status().LastStop; r == nil || stepLabel(r.By) != tt.by || r.After != tt.after {
					t.Errorf("last stop %+v, want by %s after %v", r, tt.by, tt.after)
				}
			})
		})
	}
}

// stepProc is a fake child that exits (code 0) on one kind of step only,
// and on which some kinds cannot be taken.
type stepProc struct {
	*fakeProc
	exitsOn StepKind
	skips   StepKind // step returns errStepSkipped for this kind
}

func (p *stepProc) step(s StopStep) error {
	p.mu.Lock()
	p.steps = append(p.steps, s.Kind)
	p.mu.Unlock()
	switch s.Kind {
	case p.skips:
		return fmt.Errorf("%w: cannot", errStepSkipped)
	case p.exitsOn:
		p.finish(0, "")
	}
	return nil
}

// sigAfter, stdinAfter, httpAfter and cmdAfter make the steps of
// ladderStepCases: one of each kind with its timeout.
func sigAfter(d time.Duration) StopStep {
	return StopStep{Kind: StepSignal, Signal: "TERM", Timeout: d}
}
func stdinAfter(d time.Duration) StopStep { return StopStep{Kind: StepCloseStdin, Timeout: d} }
func httpAfter(d time.Duration) StopStep {
	return StopStep{Kind: StepHTTP, URL: "http://127.0.0.1:1/stop", Method: "POST", Timeout: d}
}
func cmdAfter(d time.Duration) StopStep {
	return StopStep{Kind: StepCommand, Command: []string{"stopper"}, Timeout: d}
}

// ladderStepCases are TestLadderSteps's cases.
var ladderStepCases = []struct {
	name     string
	steps    []StopStep
	exitsOn  StepKind // the process step the fake child exits on
	skips    StepKind
	external string        // the http or command step's outcome
	preStop  bool          // a pre_stop hook that ends the child
	after    time.Duration // from the cancel to Run's return
	step     int
	by       string
	taken    []StepKind // the process steps taken
}{
	{"signal ignored, close_stdin ends it", []StopStep{sigAfter(s1 / 5), stdinAfter(2 * s1)}, StepCloseStdin, "", "", false,
		s1 / 5, 2, "close_stdin", []StepKind{StepSignal, StepCloseStdin}},
	{"every timeout passes: the kill", []StopStep{sigAfter(s1), stdinAfter(2 * s1)}, "", "", "", false,
		3 * s1, 0, StopKill, []StepKind{StepSignal, StepCloseStdin}},
	{"a skipped step is followed at once", []StopStep{sigAfter(4 * s1), stdinAfter(2 * s1)}, StepCloseStdin, StepSignal, "", false,
		0, 2, "close_stdin", []StepKind{StepSignal, StepCloseStdin}},
	{"http ends it", []StopStep{httpAfter(4 * s1), sigAfter(s1)}, StepSignal, "", "exit", false,
		0, 1, "http", nil},
	{"http refused: next at once", []StopStep{httpAfter(4 * s1), sigAfter(s1)}, StepSignal, "", "skip", false,
		0, 2, "signal", []StepKind{StepSignal}},
	{"http without answer: its timeout", []StopStep{httpAfter(4 * s1), sigAfter(s1)}, StepSignal, "", "error", false,
		4 * s1, 2, "signal", []StepKind{StepSignal}},
	{"http accepted, child stays: its timeout", []StopStep{httpAfter(4 * s1), sigAfter(s1)}, StepSignal, "", "", false,
		4 * s1, 2, "signal", []StepKind{StepSignal}},
	{"command ends it", []StopStep{sigAfter(s1), cmdAfter(3 * s1)}, "", "", "exit", false,
		s1, 2, "command", []StepKind{StepSignal}},
	{"command fails: the kill at once", []StopStep{sigAfter(s1), cmdAfter(3 * s1)}, "", "", "skip", false,
		s1, 0, StopKill, []StepKind{StepSignal}},
	{"the child ends during pre_stop", []StopStep{sigAfter(s1)}, StepSignal, "", "", true,
		0, 0, StopPreStop, nil},
}

// TestLadderSteps drives the loop through stop steps in fake time: each
// step's timeout, skipped steps, http and command steps (through the
// supervisor's seams), and what the status credits. A step's outcome is
// named by the fake: "exit" ends the child, "skip" fails as a request
// that did not reach it, "error" fails after reaching it, "" asks in vain.
func TestLadderSteps(t *testing.T) {
	for _, tt := range ladderStepCases {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, lb := newFake(t, RestartOptions{}, StopOptions{})
				s.opts.Stop.Steps = tt.steps
				if tt.preStop {
					s.opts.Hooks.PreStop = Hook{Argv: []string{"drain"}, Timeout: s1}
				}
				p := &stepProc{exitsOn: tt.exitsOn, skips: tt.skips}
				s.start = func() (process, error) {
					f.start()
					p.fakeProc = &fakeProc{id: 7, exit: make(chan Exit, 1)}
					return p, nil
				}
				external := func(what string) error {
					switch {
					case what == eventPreStop || tt.external == "exit":
						p.finish(0, "")
					case tt.external == "skip" && what == "http":
						return fmt.Errorf("%w: refused", errStepSkipped)
					case tt.external == "skip":
						return errors.New("exit status 1") // any failure of a command skips
					case tt.external == "error":
						return errors.New("no answer")
					}
					return nil
				}
				var envs [][]string
				s.hook = func(_ context.Context, r hookRun) error {
					envs = append(envs, r.env)
					return external(r.event)
				}
				s.request = func(_ context.Context, st StopStep) error {
					if st.URL != "http://127.0.0.1:1/stop" || st.Method != "POST" {
						t.Errorf("request %+v", st)
					}
					return external("http")
				}
				ctx, cancel := context.WithCancel(t.Context())
				errc := runAsync(ctx, s)
				time.Sleep(s1)
				stopRun(t, cancel, errc)
				if d := time.Since(f.t0) - s1; d != tt.after {
					t.Errorf("Run returned %v after the cancel, want %v", d, tt.after)
				}
				want := StopResult{Step: tt.step, By: tt.by, After: tt.after, At: f.t0.Add(s1 + tt.after)}
				if r := s.Status().LastStop; r == nil || *r != want {
					t.Errorf("last stop %+v, want %+v", r, want)
				}
				if !slices.Equal(p.steps, tt.taken) {
					t.Errorf("process steps %v, want %v", p.steps, tt.taken)
				}
				lb.mustLog(t, "stopped", "by="+stepLabel(tt.by), fmt.Sprintf("step=%d", tt.step))
				if tt.step > 0 && tt.steps[tt.step-1].Kind == StepCommand {
					if e := envs[len(envs)-1]; !slices.Contains(e, "WRAPPER_EVENT=stop") || !slices.Contains(e, "WRAPPER_CHILD_PID=7") {
						t.Errorf("command step's environment ends %q", e[max(0, len(e)-4):])
					}
				}
			})
		})
	}
}

// TestLadderRestartCredits: a stop for a restart (RestartChild) records
// its step too, and the child's exit line in the log says which.
func TestLadderRestartCredits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFake(t, RestartOptions{}, StopOptions{})
		s.opts.Stop.Steps = []StopStep{{Kind: StepSignal, Signal: "TERM", Timeout: s1}, {Kind: StepCloseStdin, Timeout: s1}}
		p := &stepProc{exitsOn: StepCloseStdin}
		s.start = func() (process, error) {
			f.start()
			p.fakeProc = &fakeProc{id: 7, exit: make(chan Exit, 1)}
			return p, nil
		}
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		if err := s.RestartChild(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * s1)
		synctest.Wait()
		st := s.Status()
		if st.Restarts != 1 || st.LastStop == nil || st.LastStop.String() != "step 2 (close_stdin) after 1s" {
			t.Fatalf("status %+v, last stop %v", st, st.LastStop)
		}
		lb.mustLog(t, "child exited", "stopped_by=close-stdin", "step=2", "after=1s")
		stopRun(t, cancel, errc)
	})
}

func TestNextStop(t *testing.T) {
	steps := []StopStep{{Kind: StepSignal, Timeout: 2 * s1}, {Kind: StepCloseStdin, Timeout: 3 * s1}}
	tests := []struct {
		name      string
		steps     []StopStep
		cur, done int
		want      stopMove
	}{
		{"the ladder begins with the first step", steps, -1, -1, stopMove{take: 0, wait: 2 * s1}},
		{"after the first, the second", steps, 0, 0, stopMove{take: 1, wait: 3 * s1}},
		{"after the last, the kill", steps, 1, 1, stopMove{take: 2}},
		{"after the kill, nothing", steps, 2, 2, stopMove{take: -1}},
		{"an outcome of a step left behind changes nothing", steps, 1, 0, stopMove{take: -1}},
		{"no steps: the kill at once", nil, -1, -1, stopMove{take: 0}},
	}
	for _, tt := range tests {
		if got := nextStop(tt.steps, tt.cur, tt.done); got != tt.want {
			t.Errorf("%s: nextStop(%d, %d) = %+v, want %+v", tt.name, tt.cur, tt.done, got, tt.want)
		}
	}
}

func TestCreditStop(t *testing.T) {
	steps := []StopStep{{Kind: StepSignal}, {Kind: StepCloseStdin}}
	began := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	at := began.Add(300 * time.Millisecond)
	tests := []struct {
		name string
		cur  int
		want StopResult
		text string
	}{
		{"during pre_stop", -1, StopResult{By: StopPreStop, After: 300 * time.Millisecond, At: at},
			"exited during the pre_stop hook after 300ms"},
		{"the first step", 0, StopResult{Step: 1, By: "signal", After: 300 * time.Millisecond, At: at},
			"step 1 (signal) after 300ms"},
		{"the second step", 1, StopResult{Step: 2, By: "close_stdin", After: 300 * time.Millisecond, At: at},
			"step 2 (close_stdin) after 300ms"},
		{"the kill", 2, StopResult{By: StopKill, After: 300 * time.Millisecond, At: at},
			"killed after 300ms (no step ended the child)"},
	}
	for _, tt := range tests {
		got := creditStop(steps, tt.cur, began, at)
		if got != tt.want || got.String() != tt.text {
			t.Errorf("%s: creditStop = %+v %q, want %+v %q", tt.name, got, got, tt.want, tt.text)
		}
	}
}

// TestNormalizeSteps: the steps' defaults and every refusal, on this
// system's set of kinds.
func TestNormalizeSteps(t *testing.T) {
	other := StepWMClose // a kind this system cannot take
	if slices.Contains(stepKinds, StepWMClose) {
		other = StepSignal
	}
	tests := []struct {
		name  string
		steps []StopStep
		stdin StdinMode
		want  []StopStep
		err   string
	}{
		{"none", nil, StdinNull, nil, ""},
		{"defaults", []StopStep{{Kind: StepHTTP, URL: "http://x/stop"}, {Kind: StepCloseStdin, Timeout: s1}}, StdinOpen,
			[]StopStep{{Kind: StepHTTP, URL: "http://x/stop", Method: "POST", Timeout: 7 * s1}, {Kind: StepCloseStdin, Timeout: s1}}, ""},
		{"the other system's kind", []StopStep{{Kind: other}}, StdinNull, nil, "stop step 1: \"" + string(other) + "\" cannot be taken on this system"},
		{"close_stdin needs stdin open", []StopStep{{Kind: StepCommand, Command: []string{"x"}}, {Kind: StepCloseStdin}}, StdinFile,
			nil, "stop step 2: close_stdin needs the standard input open"},
		{"bad method", []StopStep{{Kind: StepHTTP, URL: "http://x", Method: "get"}}, StdinNull, nil, `http method "get"`},
		{"bad URL", []StopStep{{Kind: StepHTTP, URL: "ftp://x"}}, StdinNull, nil, `http URL "ftp://x/`},
		{"empty command", []StopStep{{Kind: StepCommand}}, StdinNull, nil, "stop step 1: command: empty program name"},
		{"negative timeout", []StopStep{{Kind: StepCtrlC, Timeout: -1}}, StdinNull, nil, "stop step 1: timeout -1ns is negative"},
	}
	if slices.Contains(stepKinds, StepSignal) {
		tests = append(tests, struct {
			name  string
			steps []StopStep
			stdin StdinMode
			want  []StopStep
			err   string
		}{"signal names", []StopStep{{Kind: StepSignal, Signal: "SIGINT"}, {Kind: StepSignal}}, StdinNull,
			[]StopStep{{Kind: StepSignal, Signal: "INT", Timeout: 7 * s1}, {Kind: StepSignal, Signal: "TERM", Timeout: 7 * s1}}, ""})
	} else {
		tests = append(tests, struct {
			name  string
			steps []StopStep
			stdin StdinMode
			want  []StopStep
			err   string
		}{"ctrl_c and ctrl_break", []StopStep{{Kind: StepCtrlBreak}, {Kind: StepCtrlC}}, StdinNull, nil,
			"ctrl_c and ctrl_break exclude each other"})
	}
	for _, tt := range tests {
		got, errs := normalizeSteps(tt.steps, tt.stdin, 7*s1)
		err := errors.Join(errs...)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		case tt.err == "" && !slices.EqualFunc(got, tt.want, sameStep):
			t.Errorf("%s: steps %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// sameStep compares two steps.
func sameStep(a, b StopStep) bool {
	return a.Kind == b.Kind && a.Signal == b.Signal && a.URL == b.URL && a.Method == b.Method &&
		slices.Equal(a.Command, b.Command) && a.Timeout == b.Timeout
}
