package supervisor

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

const s1 = time.Second

// secs turns whole seconds into durations, for start-time lists.
func secs(ns ...int) []time.Duration {
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n) * s1
	}
	return out
}

func fails(n int) []run {
	return slices.Repeat([]run{{code: 1}}, n)
}

func TestLoopBackoffGrowsToCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFake(t, RestartOptions{Delay: s1, MaxDelay: 4 * s1}, StopOptions{}, fails(6)...)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)

		time.Sleep(8 * s1) // starts at 0, 1, 3, 7; the fourth failure waits 4s
		synctest.Wait()
		st := s.Status()
		if st.State != StateBackoff || st.PID != 0 || st.Failures != 4 || st.Restarts != 3 ||
			!st.NextStart.Equal(f.t0.Add(11*s1)) {
			t.Fatalf("status at 8s: %+v", st)
		}
		lb.mustLog(t, "restarting", "in=4s", "failures=4")

		time.Sleep(20 * s1)
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 1, 3, 7, 11, 15, 19); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if st := s.Status(); st.State != StateRunning || st.PID != 1007 || st.Failures != 6 {
			t.Fatalf("status after the plan: %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}

// TestLoopResetAfter: a run of at least ResetAfter resets the failure count
// before its own exit is counted; without the reset the third exit would
// trip the breaker.
func TestLoopResetAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := RestartOptions{Delay: s1, MaxDelay: time.Minute, ResetAfter: 10 * s1, MaxFailures: 3}
		plan := []run{{code: 1}, {code: 1}, {code: 1, after: 10 * s1}, {code: 1}, {code: 1}}
		s, f, _ := newFake(t, r, StopOptions{}, plan...)
		err := s.Run(t.Context())
		if !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		// 0 fails (1) → 1 fails (2) → 3 runs 10s, exits at 13 (reset, 1) →
		// 14 fails (2) → 16 fails (3): gave up.
		if got, want := f.startTimes(), secs(0, 1, 3, 14, 16); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
	})
}

func TestLoopCircuitBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := RestartOptions{Delay: s1, MaxDelay: time.Minute, MaxFailures: 3}
		startErr := errors.New("exec: no such file")
		plan := []run{{startErr: startErr}, {code: -1, signal: "SIGKILL", after: 2 * s1}, {code: 7, after: 3 * s1}, {code: 0}}
		s, f, lb := newFake(t, r, StopOptions{}, plan...)
		err := s.Run(t.Context())
		if !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		if got, want := f.startTimes(), secs(0, 1, 5); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		st := s.Status()
		if st.State != StateGaveUp || st.Failures != 3 || st.Restarts != 2 || st.LastExit == nil ||
			st.LastExit.Code != 7 || st.LastExit.Uptime != 3*s1 {
			t.Fatalf("status %+v, last exit %+v", st, st.LastExit)
		}
		lb.mustLog(t, "child start failed", "no such file")
		lb.mustLog(t, "child exited", "code=-1", "signal=SIGKILL", "uptime=2s")
		lb.mustLog(t, "child exited", "code=7", "uptime=3s")
		lb.mustLog(t, "level=INFO", "gave up", "failures=3")
	})
}

func TestLoopCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFake(t, RestartOptions{Delay: 10 * s1}, StopOptions{}, run{code: 1})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(5 * s1)
		stopRun(t, cancel, errc)
		time.Sleep(time.Minute) // a leftover backoff timer would start a child
		if got := f.startTimes(); len(got) != 1 {
			t.Fatalf("starts %v, want one", got)
		}
		if st := s.Status(); st.State != StateStopped || !st.NextStart.IsZero() {
			t.Fatalf("status %+v", st)
		}
		lb.mustLog(t, "stopped")
	})
}

// TestLoopCancelRacesRestart: the child exits and Run is cancelled inside
// start, so the loop's next select finds the exit and the cancellation
// ready together and, when it takes the exit first, then finds the
// zero-delay backoff timer and the cancellation ready together. select picks
// at random, so the test runs many times: no ordering may start a second
// child.
func TestLoopCancelRacesRestart(t *testing.T) {
	for range 200 {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			s, f, _ := newFake(t, RestartOptions{Policy: Always}, StopOptions{},
				run{code: 1, atStart: true, beforeExit: cancel})
			if err := s.Run(ctx); err != nil {
				t.Fatalf("Run = %v, want nil", err)
			}
			if got := f.startTimes(); len(got) != 1 {
				t.Fatalf("starts %v, want one", got)
			}
		})
	}
}

func TestLoopCancelBeforeRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFake(t, RestartOptions{}, StopOptions{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := s.Run(ctx); err != nil {
			t.Fatalf("Run = %v", err)
		}
		if len(f.startTimes()) != 0 {
			t.Fatal("a child was started")
		}
		if err := s.Run(t.Context()); err == nil {
			t.Fatal("second Run accepted")
		}
	})
}

func TestLoopStopGraceful(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFake(t, RestartOptions{}, StopOptions{Timeout: 5 * s1})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		stopRun(t, cancel, errc)
		if d := time.Since(f.t0); d != s1 {
			t.Fatalf("Run returned after %v, want 1s", d)
		}
		if stops, kills := f.procs[0].counts(); stops != 1 || kills != 0 {
			t.Fatalf("stops %d kills %d", stops, kills)
		}
		st := s.Status()
		if st.State != StateStopped || st.LastExit.Signal != "SIGTERM" {
			t.Fatalf("status %+v", st)
		}
		lb.mustLog(t, "stopping", stopLogged("TERM"), "timeout=5s")
		lb.mustLog(t, "stopped", "by="+gracefulStop)
	})
}

func TestLoopStopTimeoutKills(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFake(t, RestartOptions{}, StopOptions{Timeout: 5 * s1, Signal: "INT"},
			run{hang: true, ignoreStop: true})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1)
		cancel()
		time.Sleep(4*s1 - 1)
		synctest.Wait()
		if st := s.Status(); st.State != StateStopping || st.PID == 0 {
			t.Fatalf("status just before the timeout: %+v", st)
		}
		if err := <-errc; err != nil {
			t.Fatalf("Run = %v", err)
		}
		if d := time.Since(f.t0); d != 6*s1 {
			t.Fatalf("Run returned after %v, want 6s", d)
		}
		if stops, kills := f.procs[0].counts(); stops != 1 || kills != 1 {
			t.Fatalf("stops %d kills %d", stops, kills)
		}
		lb.mustLog(t, "stopping", stopLogged("INT"))
		lb.mustLog(t, "stopped", "by=kill")
	})
}

func TestLoopStatusIsACopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _, _ := newFake(t, RestartOptions{Policy: Never}, StopOptions{}, run{code: 4})
		var ee *ExitError
		if err := s.Run(t.Context()); !errors.As(err, &ee) || ee.Exit.Code != 4 {
			t.Fatalf("Run = %v", err)
		}
		st := s.Status()
		st.LastExit.Code = 99
		if s.Status().LastExit.Code != 4 {
			t.Fatal("Status shares LastExit with the supervisor")
		}
	})
}

// TestLoopOnStatus: every published state change reaches OnStatus, in order,
// as the host needs to keep `wrapper status` current.
func TestLoopOnStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _, _ := newFake(t, RestartOptions{Delay: s1, MaxDelay: s1, MaxFailures: 2}, StopOptions{}, fails(2)...)
		var states []State
		s.opts.OnStatus = func(st Status) { states = append(states, st.State) }
		if err := s.Run(t.Context()); !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		want := []State{StateStarting, StateRunning, StateBackoff, StateStarting, StateRunning, StateGaveUp}
		if !slices.Equal(states, want) {
			t.Fatalf("OnStatus states %v, want %v", states, want)
		}
	})
}

// stopLogged is what the "stopping" log line says about the graceful step:
// the stop signal on Unix, Ctrl-C on Windows (which has no signals).
func stopLogged(signal string) string {
	if runtime.GOOS == "windows" {
		return "by=ctrl-c"
	}
	return "signal=" + signal
}
