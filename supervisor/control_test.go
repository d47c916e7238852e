package supervisor

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestRestartChild: a graceful stop (pre_stop included), then a start at
// once; not a failure, and the failure count is left as it was.
func TestRestartChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, lb := newFakeOpts(t, Options{Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute},
			Hooks: Hooks{PreStop: Hook{Argv: []string{"prestop"}}}}, run{code: 1})
		h := withFakeHooks(s, t0, map[string][]hookPlay{eventPreStop: {{take: s1}}})
		if err := s.RestartChild(t.Context()); !errors.Is(err, ErrNotRunning) {
			t.Fatalf("RestartChild before Run = %v, want ErrNotRunning", err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(3 * s1) // fails at 0, restarted at 1s
		if err := s.RestartChild(t.Context()); err != nil {
			t.Fatalf("RestartChild = %v", err)
		}
		time.Sleep(2 * s1)
		synctest.Wait()
		// pre_stop 3s..4s, then the stop signal and a start at once.
		if got, want := f.startTimes(), secs(0, 1, 4); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if stops, _ := f.procs[1].counts(); stops != 1 {
			t.Fatalf("stops %d, want 1", stops)
		}
		st := s.Status()
		if st.State != StateRunning || st.Restarts != 2 || st.Failures != 1 || st.LastRestartCause != CauseRequest {
			t.Fatalf("status %+v", st)
		}
		if got, want := h.events(), []string{"pre_stop@3s"}; !slices.Equal(got, want) {
			t.Fatalf("hooks %v, want %v", got, want)
		}
		lb.mustLog(t, "restart requested")
		stopRun(t, cancel, errc)
		if err := s.RestartChild(t.Context()); !errors.Is(err, ErrNotRunning) {
			t.Fatalf("RestartChild after Run = %v, want ErrNotRunning", err)
		}
	})
}

// TestRestartChildDuringBackoff: the child starts at once; the failure
// count stays.
func TestRestartChildDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFake(t, RestartOptions{Delay: time.Minute, MaxDelay: time.Hour}, StopOptions{}, run{code: 1, after: s1})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(5 * s1)
		if err := s.RestartChild(t.Context()); err != nil {
			t.Fatalf("RestartChild = %v", err)
		}
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 5); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if st := s.Status(); st.Failures != 1 || st.LastRestartCause != CauseRequest || !st.NextStart.IsZero() {
			t.Fatalf("status %+v", st)
		}
		time.Sleep(2 * time.Minute) // the dropped backoff timer must not start a third child
		if n := len(f.startTimes()); n != 2 {
			t.Fatalf("%d starts, want 2", n)
		}
		stopRun(t, cancel, errc)
	})
}

// TestRestartChildWhileStopping: once Run is cancelled, requests are
// refused, and the stop goes on.
func TestRestartChildWhileStopping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFake(t, RestartOptions{}, StopOptions{Timeout: 5 * s1}, run{hang: true, ignoreStop: true})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		cancel()
		synctest.Wait()
		if err := s.RestartChild(t.Context()); !errors.Is(err, ErrNotRunning) {
			t.Fatalf("RestartChild while stopping = %v, want ErrNotRunning", err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("Run = %v", err)
		}
		if n := len(f.startTimes()); n != 1 {
			t.Fatalf("%d starts, want 1", n)
		}
	})
}

// TestUpdate: invalid options change nothing; new restart options keep a
// pending backoff's timer; a new command line restarts the child
// gracefully with cause "update", which is not a failure.
func TestUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFake(t, RestartOptions{Delay: 10 * s1, MaxDelay: time.Minute}, StopOptions{}, run{code: 1, after: s1})
		var mu sync.Mutex
		var paths []string
		start := s.start
		s.start = func() (process, error) {
			mu.Lock()
			paths = append(paths, s.opts.Path+" "+strings.Join(s.opts.Args, " "))
			mu.Unlock()
			return start()
		}
		opts := s.opts
		if err := s.Update(t.Context(), opts); !errors.Is(err, ErrNotRunning) {
			t.Fatalf("Update before Run = %v, want ErrNotRunning", err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(2 * s1) // in the backoff until 11s

		bad := opts
		bad.Restart.Delay = -1
		if err := s.Update(t.Context(), bad); err == nil || errors.Is(err, ErrNotRunning) {
			t.Fatalf("Update with invalid options = %v", err)
		}
		faster := opts
		faster.Restart.Delay = s1
		faster.Logger = slog.New(slog.NewTextHandler(lb, nil)).With("gen", 2)
		if err := s.Update(t.Context(), faster); err != nil {
			t.Fatalf("Update = %v", err)
		}
		time.Sleep(10 * s1)
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 11); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v (the backoff keeps its timer)", got, want)
		}
		lb.mustLog(t, "options updated", "restart=false", "gen=2")

		moved := faster
		moved.Args = []string{"--new"}
		if err := s.Update(t.Context(), moved); err != nil {
			t.Fatalf("Update = %v", err)
		}
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 11, 12); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		mu.Lock()
		got := slices.Clone(paths)
		mu.Unlock()
		if want := []string{"fake ", "fake ", "fake --new"}; !slices.Equal(got, want) {
			t.Fatalf("started %q, want %q", got, want)
		}
		st := s.Status()
		if st.LastRestartCause != CauseUpdate || st.Failures != 1 || st.State != StateRunning {
			t.Fatalf("status %+v", st)
		}
		lb.mustLog(t, "options updated", "restart=true")
		stopRun(t, cancel, errc)
		if err := s.Update(t.Context(), opts); !errors.Is(err, ErrNotRunning) {
			t.Fatalf("Update after Run = %v, want ErrNotRunning", err)
		}
	})
}

// TestUpdateHealth: a health check added or removed by Update takes effect
// for the running child.
func TestUpdateHealth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFake(t, RestartOptions{}, StopOptions{})
		opts := s.opts
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		p := probeUpFrom(f.t0, 0)
		opts.Health = HealthOptions{Check: p.check, Interval: s1}
		if err := s.Update(t.Context(), opts); err != nil {
			t.Fatalf("Update = %v", err)
		}
		synctest.Wait()
		if st := s.Status(); st.Health != HealthStarting {
			t.Fatalf("health after adding a check: %+v", st)
		}
		time.Sleep(s1 + s1/2)
		synctest.Wait()
		if st := s.Status(); st.Health != HealthHealthy {
			t.Fatalf("health after a passing check: %+v", st)
		}
		opts.Health = HealthOptions{}
		if err := s.Update(t.Context(), opts); err != nil {
			t.Fatalf("Update = %v", err)
		}
		time.Sleep(10 * s1)
		synctest.Wait()
		if st := s.Status(); st.Health != "" || len(p.callTimes()) != 1 {
			t.Fatalf("status %+v, checks %v; want no health and one check", st, p.callTimes())
		}
		stopRun(t, cancel, errc)
	})
}

// TestCancelDuringRestart: Run cancelled while a requested restart stops
// the child ends Run when that stop ends; nothing starts again.
func TestCancelDuringRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, lb := newFakeOpts(t, Options{Hooks: Hooks{PreStop: Hook{Argv: []string{"prestop"}}}})
		withFakeHooks(s, t0, map[string][]hookPlay{eventPreStop: {{take: 2 * s1}}})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		if err := s.RestartChild(t.Context()); err != nil {
			t.Fatalf("RestartChild = %v", err)
		}
		time.Sleep(s1)
		stopRun(t, cancel, errc)
		if d := time.Since(t0); d != 3*s1 || len(f.startTimes()) != 1 {
			t.Fatalf("Run returned after %v with starts %v; want 3s and one", d, f.startTimes())
		}
		if st := s.Status(); st.State != StateStopped || st.Restarts != 0 {
			t.Fatalf("status %+v", st)
		}
		lb.mustLog(t, "stopped", "by="+gracefulStop)
	})
}

// TestRestartChildDuringPostStop: a request while an exit's post_stop runs
// skips the backoff that follows.
func TestRestartChildDuringPostStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		s, f, _ := newFakeOpts(t, Options{Restart: RestartOptions{Delay: time.Minute, MaxDelay: time.Hour},
			Hooks: Hooks{PostStop: Hook{Argv: []string{"poststop"}}}}, run{code: 1, after: s1})
		withFakeHooks(s, t0, map[string][]hookPlay{eventPostStop: {{take: 2 * s1}}})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(2 * s1)
		if err := s.RestartChild(t.Context()); err != nil {
			t.Fatalf("RestartChild = %v", err)
		}
		time.Sleep(2 * s1)
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 3); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if st := s.Status(); st.Failures != 1 || st.LastRestartCause != CauseRequest {
			t.Fatalf("status %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}
