package supervisor

import (
	"testing"
	"time"
)

// onRestart makes o report, on the returned channel, the first status of
// a child running after one restart.
func onRestart(o *Options) <-chan Status {
	c := make(chan Status, 1)
	o.OnStatus = func(st Status) {
		if st.State == StateRunning && st.Restarts == 1 {
			select {
			case c <- st:
			default: // OnStatus must not block
			}
		}
	}
	return c
}

// waitRestart returns the status onRestart reports.
func waitRestart(t *testing.T, c <-chan Status) Status {
	t.Helper()
	select {
	case st := <-c:
		return st
	case <-time.After(waitLimit):
		t.Fatalf("no restart within %v", waitLimit)
		return Status{}
	}
}

// TestRealLimitMemoryTree: a grandchild that allocates 160 MB puts the
// tree over a 96 MB limit while the child itself stays far below it (a Go
// test binary, race detector included, has a few tens of MB resident):
// the tree is measured whole. The child is restarted gracefully, with
// cause limit, as a failure.
func TestRealLimitMemoryTree(t *testing.T) {
	var restarted <-chan Status
	r := newReal(t, "alloc", []string{"160", "grandchild"}, func(o *Options) {
		o.Restart = RestartOptions{Delay: 10 * time.Millisecond}
		o.Limits = LimitOptions{Memory: 96 * mb, Interval: 100 * time.Millisecond}
		o.Stop.Timeout = 5 * time.Second
		restarted = onRestart(o)
	})
	stop := r.background(t)
	st := waitRestart(t, restarted)
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	b := st.LastLimit
	if st.LastRestartCause != CauseLimit || st.Failures != 1 || b == nil || b.Resource != LimitMemory ||
		b.Value <= 96*mb || b.Limit != 96*mb {
		t.Fatalf("status after the restart %+v (last limit %v)", st, b)
	}
	r.log.mustLog(t, "level=WARN", "limit exceeded, restarting", "limit=\"memory ")
	r.log.mustLog(t, "restarting the child", "cause=limit")
}

// TestRealLimitCPU: a child that keeps a CPU busy stays over a 20% limit
// for 300ms and is restarted with cause limit. Not under Wine, whose job
// accounting has no CPU times: the decision is TestJudgeLimits' and
// TestLimitCPURestarts', on every platform.
func TestRealLimitCPU(t *testing.T) {
	var restarted <-chan Status
	r := newReal(t, "burn", nil, func(o *Options) {
		o.Restart = RestartOptions{Delay: 10 * time.Millisecond}
		o.Limits = LimitOptions{CPU: 20, For: 300 * time.Millisecond, Interval: 100 * time.Millisecond}
		o.Stop.Timeout = 5 * time.Second
		restarted = onRestart(o)
	})
	if underWine() {
		// After newReal, which counts the helper as used: a full run
		// fails on a declared helper that no test used.
		t.Skip("Wine's Job Object accounting reports no CPU time (docs/windows-testing.md)")
	}
	stop := r.background(t)
	st := waitRestart(t, restarted)
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	b := st.LastLimit
	if st.LastRestartCause != CauseLimit || st.Failures != 1 || b == nil || b.Resource != LimitCPU || b.Value <= 20 ||
		b.For != 300*time.Millisecond {
		t.Fatalf("status after the restart %+v (last limit %v)", st, b)
	}
	r.log.mustLog(t, "over the cpu limit")
	r.log.mustLog(t, "limit exceeded, restarting", "limit=\"cpu ")
}

// TestRealLimitUnder: a tree under its limits (a grandchild with 32 MB,
// idle) is sampled and never restarted.
func TestRealLimitUnder(t *testing.T) {
	r := newReal(t, "alloc", []string{"32", "grandchild"}, func(o *Options) {
		o.Limits = LimitOptions{Memory: 1 << 30, CPU: 50, For: time.Second, Interval: 50 * time.Millisecond}
	})
	stop := r.background(t)
	r.out.waitLine(t, equals("allocated"))
	waitUntil(t, "40 samples", func() bool { return r.Status().LimitSamples >= 40 })
	st := r.Status()
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if st.State != StateRunning || st.Restarts != 0 || st.LastLimit != nil {
		t.Fatalf("status after %d samples: %+v", st.LimitSamples, st)
	}
	r.log.mustNotLog(t, "limit exceeded")
	r.log.mustNotLog(t, "limit sample failed")
}
