package supervisor

import (
	"context"
	"fmt"
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

func (p *windowedProc) stop() error {
	if p.noConsole {
		return fmt.Errorf("%w: no console", errStepSkipped)
	}
	return p.fakeProc.stop()
}

func (p *windowedProc) closeWindows() (int, error) {
	p.closes++
	if p.closeExits && p.windows > 0 {
		p.finish(0, "")
	}
	return p.windows, nil
}

// TestLadderWindows drives the loop's stop ladder with a windowed fake:
// Ctrl-C and its timeout, WM_CLOSE and its timeout, the kill, and which
// step the log credits.
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
		{"ctrl-c", windowedProc{windows: 1, closeExits: true}, false, gracefulStop, 0, 0, 0},
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
				stop := StopOptions{Timeout: timeout, WindowTimeout: windowTimeout}
				if tt.noWindowT {
					stop.WindowTimeout = 0
				}
				s, f, lb := newFake(t, RestartOptions{}, stop)
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
			})
		})
	}
}
