package supervisor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// allHooks has every hook set.
var allHooks = Hooks{
	PreStart: Hook{Argv: []string{"pre"}}, PostStart: Hook{Argv: []string{"post"}},
	PreStop: Hook{Argv: []string{"prestop"}}, PostStop: Hook{Argv: []string{"poststop"}},
}

// TestHooksOrderAndEnvironment: pre_start and post_start around every
// start, post_stop after every exit, pre_stop only before a graceful stop;
// each with the child's environment plus the WRAPPER_* variables.
func TestHooksOrderAndEnvironment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, lb := newFakeOpts(t, Options{Env: []string{"APP=1", "WRAPPER_EVENT=inherited"}, Dir: "/srv/app",
			Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute}, Hooks: allHooks},
			run{code: 3, after: 2 * s1})
		h := withFakeHooks(s, t0, nil)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(5 * s1)
		stopRun(t, cancel, errc)
		want := []string{"pre_start@0s", "post_start@0s", "post_stop@2s", "pre_start@3s", "post_start@3s",
			"pre_stop@5s", "post_stop@5s"}
		if got := h.events(); !slices.Equal(got, want) {
			t.Fatalf("hooks %v, want %v", got, want)
		}
		if got, want := f.startTimes(), secs(0, 3); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		env := func(i int, name, want string) {
			t.Helper()
			if got, ok := h.envOf(i, name); got != want || !ok {
				t.Errorf("run %d (%s): %s=%q (set %v), want %q", i, h.events()[i], name, got, ok, want)
			}
		}
		env(0, "APP", "1")
		env(0, "WRAPPER_EVENT", "pre_start")
		env(0, "WRAPPER_RESTARTS", "0")
		env(1, "WRAPPER_CHILD_PID", "1001")
		env(2, "WRAPPER_EVENT", "post_stop")
		env(2, "WRAPPER_CHILD_PID", "1001")
		env(2, "WRAPPER_EXIT_CODE", "3")
		env(3, "WRAPPER_RESTARTS", "1")
		env(5, "WRAPPER_EVENT", "pre_stop")
		env(5, "WRAPPER_CHILD_PID", "1002")
		env(6, "WRAPPER_EXIT_CODE", "-1")
		if _, ok := h.envOf(5, "WRAPPER_EXIT_CODE"); ok {
			t.Error("pre_stop got WRAPPER_EXIT_CODE")
		}
		if h.calls[0].dir != "/srv/app" {
			t.Errorf("hook dir %q, want the child's", h.calls[0].dir)
		}
		lb.mustLog(t, "hook done", "hook=post_stop")
	})
}

// TestPreStopThenLadder: the stop signal follows pre_stop; post_stop runs
// after the exit, also when Run was cancelled, and Run returns after it.
func TestPreStopThenLadder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, lb := newFakeOpts(t, Options{Hooks: allHooks})
		h := withFakeHooks(s, t0, map[string][]hookPlay{
			eventPreStop:  {{take: 2 * s1, err: errors.New("exited with code 1")}},
			eventPostStop: {{take: 3 * s1}},
		})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		cancel()
		time.Sleep(2*s1 - 1)
		synctest.Wait()
		if stops, _ := f.procs[0].counts(); stops != 0 {
			t.Fatal("stop signal before pre_stop ended")
		}
		if st := s.Status(); st.State != StateStopping || st.PID == 0 {
			t.Fatalf("status during pre_stop: %+v", st)
		}
		if err := <-errc; err != nil {
			t.Fatalf("Run = %v", err)
		}
		if d := time.Since(t0); d != 6*s1 {
			t.Fatalf("Run returned after %v, want 6s (pre_stop 2s, post_stop 3s)", d)
		}
		if stops, _ := f.procs[0].counts(); stops != 1 {
			t.Fatalf("stops %d, want 1", stops)
		}
		if got, want := h.events(), []string{"pre_start@0s", "post_start@0s", "pre_stop@1s", "post_stop@3s"}; !slices.Equal(got, want) {
			t.Fatalf("hooks %v, want %v", got, want)
		}
		lb.mustLog(t, "level=WARN", "hook failed", "hook=pre_stop", "exited with code 1")
		lb.mustLog(t, "stopped", "by="+gracefulStop)
	})
}

// TestChildExitsDuringPreStop: a child that exits while pre_stop runs (a
// pre_stop that asks it to quit) gets no stop signal; post_stop follows
// pre_stop.
func TestChildExitsDuringPreStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, _ := newFakeOpts(t, Options{Hooks: allHooks}, run{code: 0, after: 2 * s1})
		h := withFakeHooks(s, t0, map[string][]hookPlay{eventPreStop: {{take: 3 * s1}}})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		stopRun(t, cancel, errc)
		if stops, kills := f.procs[0].counts(); stops != 0 || kills != 0 {
			t.Fatalf("stops %d kills %d, want none", stops, kills)
		}
		if got, want := h.events(), []string{"pre_start@0s", "post_start@0s", "pre_stop@1s", "post_stop@4s"}; !slices.Equal(got, want) {
			t.Fatalf("hooks %v, want %v", got, want)
		}
	})
}

// TestPostStopBeforeBackoff: the restart decision and its backoff follow
// post_stop; a post_start still running when the child exits is killed.
func TestPostStopBeforeBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, _ := newFakeOpts(t, Options{Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute}, Hooks: allHooks},
			run{code: 1, after: s1})
		h := withFakeHooks(s, t0, map[string][]hookPlay{
			eventPostStart: {{hang: true}},
			eventPostStop:  {{take: 2 * s1}},
		})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(2 * s1)
		synctest.Wait()
		if st := s.Status(); st.State != StateStopping || st.LastExit == nil || st.PID != 0 {
			t.Fatalf("status during post_stop: %+v", st)
		}
		time.Sleep(3 * s1)
		synctest.Wait()
		// Exit at 1s, post_stop until 3s, backoff 1s: restart at 4s.
		if got, want := f.startTimes(), secs(0, 4); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if got := h.cancelledEvents(); !slices.Equal(got, []string{eventPostStart}) {
			t.Fatalf("cancelled hooks %v, want the first post_start", got)
		}
		stopRun(t, cancel, errc)
	})
}

// TestPostStartFailureIgnored: a failing post_start is logged; the child
// keeps running.
func TestPostStartFailureIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _, lb := newFakeOpts(t, Options{Hooks: Hooks{PostStart: Hook{Argv: []string{"x"}}}})
		withFakeHooks(s, time.Now(), map[string][]hookPlay{eventPostStart: {{err: errors.New("boom")}}})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		synctest.Wait()
		if st := s.Status(); st.State != StateRunning || st.Failures != 0 {
			t.Fatalf("status %+v", st)
		}
		lb.mustLog(t, "level=WARN", "hook failed", "hook=post_start", "boom")
		stopRun(t, cancel, errc)
	})
}

// TestGiveUpHookOutlivesCancel: the on_give_up hook runs to its end when
// Run is cancelled meanwhile, Run still reports that it gave up, and a
// restart request meanwhile is refused.
func TestGiveUpHookOutlivesCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFakeOpts(t, Options{Restart: RestartOptions{MaxFailures: 1},
			Hooks: Hooks{OnGiveUp: Hook{Argv: []string{"alarm"}}}}, run{code: 1, after: s1})
		h := withFakeHooks(s, f.t0, map[string][]hookPlay{eventGiveUp: {{take: 30 * s1}}})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(10 * s1)
		synctest.Wait()
		if st := s.Status(); st.State != StateGaveUp {
			t.Fatalf("state %s during the hook, want %s", st.State, StateGaveUp)
		}
		if err := s.RestartChild(t.Context()); !errors.Is(err, ErrNotRunning) {
			t.Fatalf("RestartChild during the give-up = %v, want ErrNotRunning", err)
		}
		cancel()
		if err := <-errc; !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		if d := time.Since(f.t0); d != 31*s1 || len(h.cancelled) != 0 {
			t.Fatalf("Run returned at %v, hooks cancelled %v; want 31s, none", d, h.cancelled)
		}
	})
}
