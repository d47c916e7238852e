package supervisor

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// health returns health options around a fake probe, with Interval 1s.
func healthOf(p *fakeProbe, failures int, startPeriod time.Duration) HealthOptions {
	return HealthOptions{Check: p.check, Interval: s1, Timeout: 2 * s1, Failures: failures, StartPeriod: startPeriod}
}

// TestHealthRestartsUnhealthyChild: Failures consecutive failed checks stop
// the child gracefully and restart it after the backoff, as a failure.
func TestHealthRestartsUnhealthyChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFakeOpts(t, Options{Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute}})
		p := probeDown(f.t0)
		s.opts.Health = healthOf(p, 3, 0)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)

		time.Sleep(2*s1 + s1/2)
		synctest.Wait()
		if st := s.Status(); st.State != StateRunning || st.Health != HealthUnhealthy || st.HealthFailures != 2 {
			t.Fatalf("status at 2.5s: %+v", st)
		}
		// Checks at 1s, 2s, 3s: the third failure stops the child at 3s; the
		// restart waits the 1s backoff of a first failure.
		time.Sleep(2 * s1)
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 4); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if stops, _ := f.procs[0].counts(); stops != 1 {
			t.Fatalf("first child got %d stop requests, want 1 (a graceful stop)", stops)
		}
		st := s.Status()
		if st.State != StateRunning || st.LastRestartCause != CauseHealth || st.Failures != 1 ||
			st.Restarts != 1 || st.Health != HealthStarting || st.HealthFailures != 0 {
			t.Fatalf("status after the restart: %+v", st)
		}
		if got, want := p.callTimes(), secs(1, 2, 3); !slices.Equal(got, want) {
			t.Fatalf("checks at %v, want %v (none while no child runs)", got, want)
		}
		lb.mustLog(t, "level=WARN", "health check failed", "failures=2", "of=3", "connection refused")
		lb.mustLog(t, "level=WARN", "health check failed, restarting", "failures=3")
		lb.mustLog(t, "restarting the child", "cause=health")
		stopRun(t, cancel, errc)
	})
}

// TestHealthStartPeriodAndRecovery: failures in the start period are not
// counted, and a passing check resets the count.
func TestHealthStartPeriodAndRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFakeOpts(t, Options{})
		// Down until 6.5s, up until 9.5s, then down again.
		p := &fakeProbe{t0: f.t0, up: func(e time.Duration) bool { return e > 6*s1+s1/2 && e < 9*s1+s1/2 }}
		s.opts.Health = healthOf(p, 3, 5*s1)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)

		time.Sleep(4*s1 + s1/2) // checks at 1..4 failed, all in the start period
		synctest.Wait()
		if st := s.Status(); st.Health != HealthStarting || st.HealthFailures != 0 {
			t.Fatalf("status in the start period: %+v", st)
		}
		lb.mustLog(t, "health check failed in the start period")
		time.Sleep(2 * s1) // 5s and 6s counted
		synctest.Wait()
		if st := s.Status(); st.Health != HealthUnhealthy || st.HealthFailures != 2 {
			t.Fatalf("status at 6.5s: %+v", st)
		}
		time.Sleep(s1) // 7s passes
		synctest.Wait()
		if st := s.Status(); st.Health != HealthHealthy || st.HealthFailures != 0 {
			t.Fatalf("status at 7.5s: %+v", st)
		}
		time.Sleep(4 * s1) // 10s and 11s fail: 2 of 3
		synctest.Wait()
		if st := s.Status(); st.Health != HealthUnhealthy || st.HealthFailures != 2 || len(f.startTimes()) != 1 {
			t.Fatalf("status at 11.5s: %+v, starts %v", st, f.startTimes())
		}
		stopRun(t, cancel, errc)
		if st := s.Status(); st.Health != "" || st.HealthFailures != 0 {
			t.Fatalf("health after the child's exit: %+v", st)
		}
	})
}

// TestHealthCountsTowardBreaker: health restarts are failures, so a child
// that never becomes healthy trips the circuit breaker, and under policy
// never is not restarted at all.
func TestHealthCountsTowardBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFakeOpts(t, Options{Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute, MaxFailures: 2}})
		s.opts.Health = healthOf(probeDown(f.t0), 1, 0)
		if err := s.Run(t.Context()); !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		// 0 start, 1 unhealthy (failure 1), 2 start, 3 unhealthy (failure 2).
		if got, want := f.startTimes(), secs(0, 2); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if st := s.Status(); st.State != StateGaveUp || st.Failures != 2 || st.LastExit.Signal != "SIGTERM" {
			t.Fatalf("status %+v", st)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFakeOpts(t, Options{Restart: RestartOptions{Policy: Never}})
		s.opts.Health = healthOf(probeDown(f.t0), 1, 0)
		var ee *ExitError
		if err := s.Run(t.Context()); !errors.As(err, &ee) {
			t.Fatalf("Run = %v, want an *ExitError", err)
		}
		if len(f.startTimes()) != 1 {
			t.Fatalf("starts %v, want one", f.startTimes())
		}
		lb.mustLog(t, "not restarting", "policy never")
	})
}

// TestHealthRestartAfterCleanExit: a child that exits with a success code
// when stopped for failing its health checks is still restarted, as a
// failure: it was unhealthy.
func TestHealthRestartAfterCleanExit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFakeOpts(t, Options{Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute}},
			run{hang: true, cleanStop: true})
		s.opts.Health = healthOf(probeDown(f.t0), 1, 0)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(2*s1 + s1/2)
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 2); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if st := s.Status(); st.Failures != 1 || st.LastExit.Code != 0 || st.LastRestartCause != CauseHealth {
			t.Fatalf("status %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}

// TestHealthCheckTimeout: a check that does not answer fails after
// Timeout, and the next one starts Interval after that.
func TestHealthCheckTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, lb := newFakeOpts(t, Options{})
		p := &fakeProbe{t0: f.t0, hang: true}
		s.opts.Health = healthOf(p, 2, 0)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(5*s1 + s1/2) // checks at 1s (fails at 3s) and 4s
		synctest.Wait()
		if got, want := p.callTimes(), secs(1, 4); !slices.Equal(got, want) {
			t.Fatalf("checks at %v, want %v", got, want)
		}
		if st := s.Status(); st.HealthFailures != 1 {
			t.Fatalf("status %+v", st)
		}
		lb.mustLog(t, "health check failed", "timed out after 2s")
		stopRun(t, cancel, errc)
	})
}

// TestHealthStoppedWithTheChild: a child that exits by itself takes its
// health checks with it; the restarted child starts over in "starting".
func TestHealthStoppedWithTheChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFakeOpts(t, Options{Restart: RestartOptions{Delay: 10 * s1, MaxDelay: time.Minute}},
			run{code: 1, after: 3*s1 + s1/2})
		p := probeUpFrom(f.t0, 0)
		s.opts.Health = healthOf(p, 3, 0)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(12 * s1) // exit at 3.5s, restart at 13.5s
		synctest.Wait()
		if got, want := p.callTimes(), secs(1, 2, 3); !slices.Equal(got, want) {
			t.Fatalf("checks at %v, want %v", got, want)
		}
		if st := s.Status(); st.State != StateBackoff || st.Health != "" {
			t.Fatalf("status in the backoff: %+v", st)
		}
		time.Sleep(2 * s1)
		synctest.Wait()
		if st := s.Status(); st.State != StateRunning || st.Health != HealthStarting || st.LastRestartCause != CauseExit {
			t.Fatalf("status after the restart: %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}

// TestHealthCheckDurationInStatus: Status carries the last check's
// duration, and a check that changes nothing else is no OnStatus call (no
// status file write per check).
func TestHealthCheckDurationInStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		s, _, _ := newFakeOpts(t, Options{OnStatus: func(Status) { calls.Add(1) }})
		slow := func(ctx context.Context) error {
			time.Sleep(300 * time.Millisecond)
			return nil
		}
		s.opts.Health = HealthOptions{Check: slow, Interval: s1, Timeout: 2 * s1, Failures: 3}
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(s1 + s1/2) // the first check ran from 1s to 1.3s
		synctest.Wait()
		st := s.Status()
		if st.Health != HealthHealthy || st.HealthCheckDuration != 300*time.Millisecond {
			t.Fatalf("after the first check: %+v", st)
		}
		before := calls.Load()
		time.Sleep(10 * s1)
		synctest.Wait()
		if got := calls.Load(); got != before {
			t.Errorf("%d OnStatus calls for checks that changed nothing but their duration", got-before)
		}
		if s.Status().HealthCheckDuration == 0 {
			t.Error("duration lost after later checks")
		}
		stopRun(t, cancel, errc)
		if st := s.Status(); st.HealthCheckDuration != 0 {
			t.Errorf("after the stop: duration %v, want 0", st.HealthCheckDuration)
		}
	})
}
