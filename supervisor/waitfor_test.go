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

const ms500 = 500 * time.Millisecond

// TestWaitForInOrder: the conditions are waited for in order, each retried
// every 500ms, then pre_start runs, then the child starts; Status says what
// is waited for.
func TestWaitForInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		db, ready := probeUpFrom(t0, 2*s1), probeUpFrom(t0, 0)
		sl := &statusLog{}
		s, f, lb := newFakeOpts(t, Options{OnStatus: sl.add, WaitFor: []Condition{
			{Name: "tcp db:5432", Probe: db.check, Timeout: time.Minute},
			{Name: "file ready", Probe: ready.check},
		}, Hooks: Hooks{PreStart: Hook{Argv: []string{"prep"}}}})
		h := withFakeHooks(s, t0, map[string][]hookPlay{eventPreStart: {{take: s1}}})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)

		time.Sleep(s1)
		synctest.Wait()
		if st := s.Status(); st.State != StateWaiting || st.Waiting != "tcp db:5432" || st.PID != 0 {
			t.Fatalf("status at 1s: %+v", st)
		}
		time.Sleep(2 * s1)
		synctest.Wait()
		if got, want := f.startTimes(), secs(3); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		want := []time.Duration{0, ms500, 2 * ms500, 3 * ms500, 4 * ms500}
		if got := db.callTimes(); !slices.Equal(got, want) {
			t.Fatalf("db checked at %v, want %v", got, want)
		}
		if got := ready.callTimes(); !slices.Equal(got, secs(2)) {
			t.Fatalf("ready checked at %v, want [2s]", got)
		}
		if got, want := h.events(), []string{"pre_start@2s"}; !slices.Equal(got, want) {
			t.Fatalf("hooks %v, want %v", got, want)
		}
		if _, ok := h.envOf(0, "WRAPPER_CHILD_PID"); ok {
			t.Error("pre_start got WRAPPER_CHILD_PID, but there is no child yet")
		}
		wantStates := []string{"waiting:tcp db:5432", "waiting:file ready", "waiting:pre_start hook", "starting", "running"}
		if got := sl.states(); !slices.Equal(got, wantStates) {
			t.Fatalf("states %q, want %q", got, wantStates)
		}
		lb.mustLog(t, "waiting", "for=\"tcp db:5432\"")
		stopRun(t, cancel, errc)
	})
}

// TestWaitForTimeoutIsAFailedStart: an unmet condition prevents the start
// and counts as a failure: backoff, then the circuit breaker.
func TestWaitForTimeoutIsAFailedStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		db := probeDown(t0)
		s, f, lb := newFakeOpts(t, Options{
			Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute, MaxFailures: 2},
			WaitFor: []Condition{{Name: "tcp db:5432", Probe: db.check, Timeout: 2 * s1}},
		})
		err := s.Run(t.Context())
		if !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		// Wait 0..2s, backoff 1s, wait 3..5s: gave up at 5s, no child.
		if d := time.Since(t0); d != 5*s1 || len(f.startTimes()) != 0 {
			t.Fatalf("Run ended after %v with starts %v; want 5s and none", d, f.startTimes())
		}
		st := s.Status()
		if st.Failures != 2 || st.Restarts != 1 || st.LastExit == nil || st.Waiting != "" ||
			!errors.Is(st.LastExit.Err, errDown) ||
			!strings.Contains(st.LastExit.Err.Error(), "wait for tcp db:5432: not met within 2s") {
			t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
		}
		lb.mustLog(t, "level=WARN", "start prevented", "not met within 2s")
	})
}

// TestPreStartFailureIsAFailedStart: a failing pre_start prevents that
// start; post_stop does not run, as no child ran.
func TestPreStartFailureIsAFailedStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, lb := newFakeOpts(t, Options{Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute},
			Hooks: Hooks{PreStart: Hook{Argv: []string{"prep"}}, PostStop: Hook{Argv: []string{"clean"}}}})
		h := withFakeHooks(s, t0, map[string][]hookPlay{eventPreStart: {{err: errors.New("exited with code 4")}}})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(2 * s1)
		synctest.Wait()
		if got, want := f.startTimes(), secs(1); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if got, want := h.events(), []string{"pre_start@0s", "pre_start@1s"}; !slices.Equal(got, want) {
			t.Fatalf("hooks %v, want %v", got, want)
		}
		st := s.Status()
		if st.State != StateRunning || st.Failures != 1 || st.LastExit == nil ||
			st.LastExit.Err.Error() != "pre_start hook: exited with code 4" {
			t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
		}
		lb.mustLog(t, "start prevented", "pre_start hook: exited with code 4")
		stopRun(t, cancel, errc)
	})
}

// TestCancelDuringStartSequence: cancelling Run while it waits for a
// condition or pre_start returns at once, ends the probe and the hook, and
// starts nothing.
func TestCancelDuringStartSequence(t *testing.T) {
	for _, hang := range []string{"condition", "pre_start"} {
		t.Run(hang, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				t0 := time.Now()
				cond := probeUpFrom(t0, 0)
				if hang == "condition" {
					cond = &fakeProbe{t0: t0, hang: true}
				}
				s, f, lb := newFakeOpts(t, Options{
					WaitFor: []Condition{{Name: "db", Probe: cond.check, Timeout: time.Hour}},
					Hooks:   Hooks{PreStart: Hook{Argv: []string{"prep"}, Timeout: time.Hour}},
				})
				h := withFakeHooks(s, t0, map[string][]hookPlay{eventPreStart: {{hang: true}}})
				ctx, cancel := context.WithCancel(t.Context())
				errc := runAsync(ctx, s)
				time.Sleep(10 * s1)
				stopRun(t, cancel, errc)
				if d := time.Since(t0); d != 10*s1 || len(f.startTimes()) != 0 {
					t.Fatalf("Run returned after %v, starts %v; want 10s and none", d, f.startTimes())
				}
				if hang == "pre_start" && !slices.Equal(h.cancelledEvents(), []string{eventPreStart}) {
					t.Fatalf("cancelled hooks %v, want pre_start", h.cancelledEvents())
				}
				if st := s.Status(); st.State != StateStopped || st.Waiting != "" {
					t.Fatalf("status %+v", st)
				}
				lb.mustLog(t, "stopped")
				lb.mustNotLog(t, "start prevented")
			})
		})
	}
}

// TestWaitForUnsupportedIsFatal: a condition this system cannot check
// (its probe's error wraps errors.ErrUnsupported) ends the wait at once,
// and the failed start is fatal: no retry, no backoff, no child.
func TestWaitForUnsupportedIsFatal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		probe := func(context.Context) error {
			calls++
			return fmt.Errorf("systemd is not running here: %w", errors.ErrUnsupported)
		}
		s, f, lb := newFakeOpts(t, Options{Restart: RestartOptions{Policy: Always, Delay: s1},
			WaitFor: []Condition{{Name: "service db", Probe: probe}}})
		err := s.Run(t.Context())
		var ee *ExitError
		if !errors.As(err, &ee) || !errors.Is(err, errors.ErrUnsupported) ||
			!strings.Contains(err.Error(), "wait for service db: systemd is not running here") {
			t.Fatalf("Run = %v, want an *ExitError naming the condition", err)
		}
		if calls != 1 || len(f.startTimes()) != 0 || time.Since(f.t0) != 0 {
			t.Fatalf("%d checks, starts %v, after %v; want 1, none, at once", calls, f.startTimes(), time.Since(f.t0))
		}
		lb.mustLog(t, "not restarting", "cannot succeed on this system")
	})
}
