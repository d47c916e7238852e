package supervisor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

const mb = 1 << 20

// TestJudgeLimits: one row per rule of judgeLimits. Samples are taken a
// second apart; the watch given is what the earlier samples left.
func TestJudgeLimits(t *testing.T) {
	t0 := time.Date(2026, 3, 8, 3, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * s1) }
	sample := func(s int, memory int64, cpu time.Duration) limitSample {
		return limitSample{at: at(s), memory: memory, cpu: cpu}
	}
	mem := LimitOptions{Memory: 32 * mb}
	memFor := LimitOptions{Memory: 32 * mb, For: 5 * s1}
	cpu := LimitOptions{CPU: 90}
	cpuFor := LimitOptions{CPU: 90, For: 3 * s1}
	both := LimitOptions{Memory: 32 * mb, CPU: 90}
	first := limitWatch{}
	after := func(s limitSample) limitWatch { return limitWatch{prev: s} }
	tests := []struct {
		name   string
		o      LimitOptions
		w      limitWatch
		s      limitSample
		want   limitWatch
		cpu    float64
		breach *LimitBreach
	}{
		{"memory under", mem, first, sample(1, 31*mb, 0), limitWatch{prev: sample(1, 31*mb, 0)}, -1, nil},
		{"memory at the limit is not over", mem, first, sample(1, 32*mb, 0), limitWatch{prev: sample(1, 32*mb, 0)}, -1, nil},
		{"memory over, no for: at once", mem, first, sample(1, 33*mb, 0),
			limitWatch{prev: sample(1, 33*mb, 0), memSince: at(1)}, -1,
			&LimitBreach{Resource: LimitMemory, Value: 33 * mb, Limit: 32 * mb, At: at(1)}},
		{"memory over for a while: the watch starts", memFor, after(sample(1, 0, 0)), sample(2, 40*mb, 0),
			limitWatch{prev: sample(2, 40*mb, 0), memSince: at(2)}, -1, nil},
		{"memory over, for not yet passed", memFor, limitWatch{prev: sample(5, 40*mb, 0), memSince: at(2)},
			sample(6, 40*mb, 0), limitWatch{prev: sample(6, 40*mb, 0), memSince: at(2)}, -1, nil},
		{"memory over, for passed", memFor, limitWatch{prev: sample(6, 40*mb, 0), memSince: at(2)},
			sample(7, 50*mb, 0), limitWatch{prev: sample(7, 50*mb, 0), memSince: at(2)}, -1,
			&LimitBreach{Resource: LimitMemory, Value: 50 * mb, Limit: 32 * mb, For: 5 * s1, At: at(7)}},
		{"memory back under: the watch ends", memFor, limitWatch{prev: sample(6, 40*mb, 0), memSince: at(2)},
			sample(7, 30*mb, 0), limitWatch{prev: sample(7, 30*mb, 0)}, -1, nil},
		{"no memory limit: memory ignored", cpu, first, sample(1, 1<<40, 0), limitWatch{prev: sample(1, 1<<40, 0)}, -1, nil},
		{"cpu: the first sample has no interval", cpu, first, sample(1, 0, 10*s1),
			limitWatch{prev: sample(1, 0, 10*s1)}, -1, nil},
		{"cpu under", cpu, after(sample(1, 0, s1)), sample(2, 0, s1+s1/2),
			limitWatch{prev: sample(2, 0, s1+s1/2)}, 50, nil},
		{"cpu over, no for: at once, from the interval's start", cpu, after(sample(1, 0, s1)), sample(2, 0, 2*s1),
			limitWatch{prev: sample(2, 0, 2*s1), cpuSince: at(1), cpuAt: s1}, 100,
			&LimitBreach{Resource: LimitCPU, Value: 100, Limit: 90, At: at(2)}},
		{"cpu over several cores", LimitOptions{CPU: 200}, after(sample(1, 0, s1)), sample(2, 0, 3*s1+s1/2),
			limitWatch{prev: sample(2, 0, 3*s1+s1/2), cpuSince: at(1), cpuAt: s1}, 250,
			&LimitBreach{Resource: LimitCPU, Value: 250, Limit: 200, At: at(2)}},
		{"cpu over for a while: the watch starts", cpuFor, after(sample(1, 0, s1)), sample(2, 0, 3*s1),
			limitWatch{prev: sample(2, 0, 3*s1), cpuSince: at(1), cpuAt: s1}, 200, nil},
		{"cpu over, for passed: the average since the watch began", cpuFor,
			limitWatch{prev: sample(3, 0, 4*s1), cpuSince: at(1), cpuAt: s1}, sample(4, 0, 7*s1),
			limitWatch{prev: sample(4, 0, 7*s1), cpuSince: at(1), cpuAt: s1}, 300,
			&LimitBreach{Resource: LimitCPU, Value: 200, Limit: 90, For: 3 * s1, At: at(4)}},
		{"cpu back under: the watch ends", cpuFor, limitWatch{prev: sample(3, 0, 4*s1), cpuSince: at(1), cpuAt: s1},
			sample(4, 0, 4*s1), limitWatch{prev: sample(4, 0, 4*s1)}, 0, nil},
		{"cpu time that went down counts as none", cpu, after(sample(1, 0, 5*s1)), sample(2, 0, 2*s1),
			limitWatch{prev: sample(2, 0, 2*s1)}, 0, nil},
		{"both over: memory is named", both, after(sample(1, 0, 0)), sample(2, 40*mb, 2*s1),
			limitWatch{prev: sample(2, 40*mb, 2*s1), memSince: at(2), cpuSince: at(1)}, 200,
			&LimitBreach{Resource: LimitMemory, Value: 40 * mb, Limit: 32 * mb, At: at(2)}},
		{"memory over for a while, cpu over at once: cpu", LimitOptions{Memory: 32 * mb, CPU: 90, For: 0},
			after(sample(1, 0, 0)), sample(2, 0, 2*s1),
			limitWatch{prev: sample(2, 0, 2*s1), cpuSince: at(1)}, 200,
			&LimitBreach{Resource: LimitCPU, Value: 200, Limit: 90, At: at(2)}},
	}
	for _, tt := range tests {
		v := judgeLimits(tt.o, tt.w, tt.s)
		if v.watch != tt.want || v.cpu != tt.cpu {
			t.Errorf("%s: watch %+v, cpu %v; want %+v, %v", tt.name, v.watch, v.cpu, tt.want, tt.cpu)
		}
		switch {
		case (v.breach == nil) != (tt.breach == nil):
			t.Errorf("%s: breach %v, want %v", tt.name, v.breach, tt.breach)
		case v.breach != nil && *v.breach != *tt.breach:
			t.Errorf("%s: breach %+v, want %+v", tt.name, *v.breach, *tt.breach)
		}
	}
}

// TestLimitBreachString: the text `status` shows.
func TestLimitBreachString(t *testing.T) {
	tests := []struct {
		b    LimitBreach
		want string
	}{
		{LimitBreach{Resource: LimitMemory, Value: 1.2 * (1 << 30), Limit: 1 << 30, For: 5 * time.Minute},
			"memory 1.2 GB > 1 GB for 5m"},
		{LimitBreach{Resource: LimitMemory, Value: 64 * mb, Limit: 32 * mb}, "memory 64 MB > 32 MB"},
		{LimitBreach{Resource: LimitMemory, Value: 1536, Limit: 1000}, "memory 1.5 KB > 1000 B"},
		{LimitBreach{Resource: LimitCPU, Value: 400.0 / 3, Limit: 90, For: time.Hour + 30*time.Minute},
			"cpu 133.3% > 90% for 1h30m"},
		{LimitBreach{Resource: LimitCPU, Value: 25, Limit: 12.5, For: time.Hour}, "cpu 25% > 12.5% for 1h"},
		{LimitBreach{Resource: LimitCPU, Value: 30, Limit: 20, For: 300 * time.Millisecond}, "cpu 30% > 20% for 300ms"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.b, got, tt.want)
		}
	}
}

// TestLimitOptions: the sampling interval and the checks in New.
func TestLimitOptions(t *testing.T) {
	for _, tt := range []struct {
		o    LimitOptions
		want time.Duration
	}{
		{LimitOptions{Memory: mb}, s1},
		{LimitOptions{Memory: mb, For: 2 * s1}, s1},
		{LimitOptions{Memory: mb, For: 10 * s1}, 2 * s1},
		{LimitOptions{Memory: mb, For: 5 * time.Minute}, 5 * s1},
		{LimitOptions{Memory: mb, For: 5 * time.Minute, Interval: 50 * time.Millisecond}, 50 * time.Millisecond},
	} {
		if got := tt.o.interval(); got != tt.want {
			t.Errorf("%+v: interval %v, want %v", tt.o, got, tt.want)
		}
	}
	_, err := New(Options{Path: "x", Limits: LimitOptions{Memory: -1, CPU: -5, For: -s1, Interval: -s1}})
	for _, want := range []string{"memory limit -1 is negative", "cpu limit -5", "limits for -1s is negative",
		"limits interval -1s is negative"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: %v, want %q", err, want)
		}
	}
	if _, err := New(Options{Path: "x", Limits: LimitOptions{For: s1}}); err == nil || !strings.Contains(err.Error(), "without a memory or cpu limit") {
		t.Errorf("New with for alone: %v", err)
	}
}

// growing uses 10 MB more memory every second, from 10 MB at the first.
func growing(e time.Duration) (Usage, error) {
	return Usage{RSS: int64(e/s1) * 10 * mb}, nil
}

// TestLimitRestartsAsFailure: memory over the limit for For restarts the
// child gracefully, as a failure (the backoff applies), with cause limit;
// the next child's watch starts afresh.
func TestLimitRestartsAsFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := Options{Restart: RestartOptions{Delay: 5 * s1, MaxDelay: time.Minute},
			Limits: LimitOptions{Memory: 32 * mb, For: 2 * s1}}
		s, f, lb := newFakeOpts(t, o, run{hang: true, usage: growing}, run{hang: true, usage: growing})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		// 10, 20, 30, 40 MB at 1..4s: over from 4s, restarted at 6s
		// (60 MB), started again after the 5s backoff.
		time.Sleep(5*s1 + s1/2)
		synctest.Wait()
		if st := s.Status(); st.State != StateRunning || st.LimitSamples != 5 || st.LastLimit != nil {
			t.Fatalf("status at 5.5s: %+v", st)
		}
		time.Sleep(6 * s1)
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 11); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if stops, kills := f.procs[0].counts(); stops != 1 || kills != 0 {
			t.Fatalf("first child: %d stops, %d kills; want a graceful stop", stops, kills)
		}
		st := s.Status()
		want := LimitBreach{Resource: LimitMemory, Value: 60 * mb, Limit: 32 * mb, For: 2 * s1, At: f.t0.Add(6 * s1)}
		if st.State != StateRunning || st.LastRestartCause != CauseLimit || st.Failures != 1 || st.Restarts != 1 ||
			st.LastLimit == nil || *st.LastLimit != want || st.LimitSamples != 6 {
			t.Fatalf("status after the restart: %+v (last limit %v)", st, st.LastLimit)
		}
		lb.mustLog(t, "over the memory limit", "memory=\"40 MB\"", "limit=\"32 MB\"", "for=2s")
		lb.mustLog(t, "level=WARN", "limit exceeded, restarting", "pid=1001", "limit=\"memory 60 MB > 32 MB for 2s\"")
		lb.mustLog(t, "restarting the child", "cause=limit")
		// The second child starts from 10 MB again: over from 15s, not before.
		time.Sleep(3 * s1) // 14s
		synctest.Wait()
		if st := s.Status(); st.Restarts != 1 || st.State != StateRunning {
			t.Fatalf("status at 14s: %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}

// TestLimitCPURestarts: CPU over the limit, averaged over each interval,
// restarts the child once it has been over for For.
func TestLimitCPURestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		burn := func(e time.Duration) (Usage, error) { return Usage{CPU: e * 3 / 2}, nil } // 150%
		o := Options{Restart: RestartOptions{Delay: s1}, Limits: LimitOptions{CPU: 90, For: 3 * s1}}
		s, f, lb := newFakeOpts(t, o, run{hang: true, usage: burn})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		// Samples at 1s (no interval yet), 2s (over since 1s), 3s, 4s: 3s
		// over, stopped at 4s, started again at 5s.
		time.Sleep(5*s1 + s1/2)
		synctest.Wait()
		if got, want := f.startTimes(), secs(0, 5); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		st := s.Status()
		want := LimitBreach{Resource: LimitCPU, Value: 150, Limit: 90, For: 3 * s1, At: f.t0.Add(4 * s1)}
		if st.LastRestartCause != CauseLimit || st.Failures != 1 || st.LastLimit == nil || *st.LastLimit != want {
			t.Fatalf("status %+v (last limit %v)", st, st.LastLimit)
		}
		lb.mustLog(t, "over the cpu limit", "cpu=150%", "limit=90%")
		stopRun(t, cancel, errc)
	})
}

// TestLimitUnderOrFlapping: a tree under its limits, or over them for
// less than For at a time, is never restarted.
func TestLimitUnderOrFlapping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Over in the first two seconds of every three: never 2s without
		// a sample under.
		flap := func(e time.Duration) (Usage, error) {
			if (e/s1)%3 == 2 {
				return Usage{RSS: mb}, nil
			}
			return Usage{RSS: 64 * mb}, nil
		}
		o := Options{Limits: LimitOptions{Memory: 32 * mb, CPU: 50, For: 2 * s1}}
		s, f, lb := newFakeOpts(t, o, run{hang: true, usage: flap})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(time.Hour + s1/2)
		synctest.Wait()
		if st := s.Status(); st.LimitSamples != 3600 || st.Restarts != 0 || st.State != StateRunning || len(f.startTimes()) != 1 {
			t.Fatalf("after an hour: %+v, starts %v", st, f.startTimes())
		}
		lb.mustLog(t, "back under the memory limit")
		lb.mustNotLog(t, "limit exceeded")
		stopRun(t, cancel, errc)
	})
}

// TestLimitGivesUp: limit restarts feed the circuit breaker; under the
// policy never the first one ends Run with an *ExitError.
func TestLimitGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		big := func(time.Duration) (Usage, error) { return Usage{RSS: 64 * mb}, nil }
		o := Options{Restart: RestartOptions{Delay: s1, MaxDelay: time.Minute, MaxFailures: 3}, Limits: LimitOptions{Memory: 32 * mb}}
		// Children that exit 0 when stopped: the limit makes it a failure.
		r := run{hang: true, cleanStop: true, usage: big}
		s, f, _ := newFakeOpts(t, o, r, r, r)
		err := s.Run(t.Context())
		if !errors.Is(err, ErrGaveUp) {
			t.Fatalf("Run = %v, want ErrGaveUp", err)
		}
		// Each child is over at its first sample, 1s after its start;
		// backoffs of 1s and 2s.
		if got, want := f.startTimes(), secs(0, 2, 5); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if st := s.Status(); st.State != StateGaveUp || st.Failures != 3 || st.LastLimit == nil {
			t.Fatalf("status %+v", st)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		big := func(time.Duration) (Usage, error) { return Usage{RSS: 64 * mb}, nil }
		o := Options{Restart: RestartOptions{Policy: Never}, Limits: LimitOptions{Memory: 32 * mb}}
		s, f, _ := newFakeOpts(t, o, run{hang: true, usage: big})
		var exit *ExitError
		if err := s.Run(t.Context()); !errors.As(err, &exit) || exit.Exit.Signal != "SIGTERM" {
			t.Fatalf("Run = %v, want the *ExitError of the stopped child", err)
		}
		if len(f.startTimes()) != 1 || s.Status().LastLimit == nil {
			t.Fatalf("starts %v, status %+v", f.startTimes(), s.Status())
		}
	})
}

// TestLimitUpdate: limits set by Update watch the running child at once;
// removed, its sampling ends.
func TestLimitUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newFakeOpts(t, Options{}, run{hang: true, usage: growing})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(10 * s1)
		synctest.Wait()
		if st := s.Status(); st.LimitSamples != 0 {
			t.Fatalf("%d samples without limits", st.LimitSamples)
		}
		o := s.opts
		o.Limits = LimitOptions{Memory: 1 << 40, Interval: s1}
		if err := s.Update(ctx, o); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3*s1 + s1/2)
		synctest.Wait()
		if st := s.Status(); st.LimitSamples != 3 {
			t.Fatalf("%d samples 3.5s after the update, want 3", st.LimitSamples)
		}
		o.Limits = LimitOptions{}
		if err := s.Update(ctx, o); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * s1)
		synctest.Wait()
		if st := s.Status(); st.LimitSamples != 3 || len(f.startTimes()) != 1 {
			t.Fatalf("after the limits were removed: %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}

// TestLimitSampleErrors: a failed sample is logged once and restarts
// nothing; where no tree can be measured, sampling ends for good.
func TestLimitSampleErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		failing := func(time.Duration) (Usage, error) { return Usage{}, errors.New("read /proc: gone") }
		s, f, lb := newFakeOpts(t, Options{Limits: LimitOptions{Memory: mb}}, run{hang: true, usage: failing})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(10 * s1)
		synctest.Wait()
		if st := s.Status(); st.LimitSamples != 0 || len(f.startTimes()) != 1 {
			t.Fatalf("status %+v", st)
		}
		if n := strings.Count(lb.String(), "limit sample failed"); n != 1 {
			t.Fatalf("%d failures logged, want 1:\n%s", n, lb)
		}
		stopRun(t, cancel, errc)
	})
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		unsupported := func(time.Duration) (Usage, error) {
			calls.Add(1)
			return Usage{}, fmt.Errorf("process tree usage: %w", errors.ErrUnsupported)
		}
		o := Options{Restart: RestartOptions{Delay: s1}, Limits: LimitOptions{Memory: mb}}
		s, _, lb := newFakeOpts(t, o, run{code: 1, after: 5 * s1, usage: unsupported}, run{hang: true, usage: unsupported})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(20 * s1)
		synctest.Wait()
		if n := calls.Load(); n != 1 {
			t.Fatalf("%d samples, want 1 for the whole Run", n)
		}
		lb.mustLog(t, "level=WARN", "limits are not enforced")
		stopRun(t, cancel, errc)
	})
}
