package supervisor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// LimitOptions are limits on the resources of the child's whole process
// tree, measured while the child runs (see Usage for what is measured on
// each system). A tree that stays over a limit for For is restarted
// gracefully (pre_stop, the stop ladder, post_stop) with cause
// CauseLimit, and that restart counts as a failure, as a crash would: the
// failure count grows, the restart waits for the backoff, the circuit
// breaker applies, and under the policy Never the child is not restarted
// (Run returns an *ExitError). No limit is set by default.
type LimitOptions struct {
	// Memory is the most memory, in bytes, that the tree may use: Usage.RSS
	// of a sample. 0 (the default) sets no limit.
	Memory int64
	// CPU is the most CPU the tree may use, in percent of one CPU: 100 is
	// one core busy all the time, 250 two and a half cores. It is compared
	// with the CPU time the tree used between two samples divided by the
	// time between them, so the first comparison comes with the second
	// sample: a start-up burst before the first sample is not counted. A
	// process that ends between two samples may take its last CPU time
	// with it (Linux without a cgroup: unless its parent in the tree
	// waited for it), which can only make the figure lower. 0 (the
	// default) sets no limit.
	CPU float64
	// For is how long the tree may stay over a limit, without a sample
	// under it, before it is restarted: for memory, from the first sample
	// over the limit; for CPU, from the start of the first interval over
	// it. The restart comes with the first sample at which For has passed,
	// so it may come up to Interval later. 0 (the default) restarts at the
	// first sample over a limit.
	For time.Duration
	// Interval is the time between two samples. Default (0) For/5, at
	// least 1s and at most 5s: a breach is seen within a second when For
	// is short, and a long For costs at most one sample every 5s.
	Interval time.Duration
}

// The values of LimitBreach.Resource.
const (
	// LimitMemory: LimitOptions.Memory.
	LimitMemory = "memory"
	// LimitCPU: LimitOptions.CPU.
	LimitCPU = "cpu"
)

// enabled reports whether any limit is set.
func (o LimitOptions) enabled() bool { return o.Memory > 0 || o.CPU > 0 }

// interval returns the time between two samples (see Interval).
func (o LimitOptions) interval() time.Duration {
	if o.Interval > 0 {
		return o.Interval
	}
	return min(max(o.For/5, time.Second), 5*time.Second)
}

// normalizeLimits reports invalid limits.
func normalizeLimits(o LimitOptions) []error {
	var errs []error
	if o.Memory < 0 {
		errs = append(errs, fmt.Errorf("memory limit %d is negative", o.Memory))
	}
	if o.CPU < 0 || math.IsNaN(o.CPU) || math.IsInf(o.CPU, 0) {
		errs = append(errs, fmt.Errorf("cpu limit %v: want a percentage of one CPU, 0 for none", o.CPU))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"limits for", o.For}, {"limits interval", o.Interval}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", d.name, d.v))
		}
	}
	if !o.enabled() && o.For > 0 {
		errs = append(errs, errors.New("limits for is set without a memory or cpu limit"))
	}
	return errs
}

// LimitBreach describes a limit the child's tree stayed over long enough
// to be restarted.
type LimitBreach struct {
	// Resource is LimitMemory or LimitCPU.
	Resource string
	// Value is what the tree used: for memory, bytes at the deciding
	// sample; for CPU, percent of one CPU averaged over the whole time it
	// was over the limit.
	Value float64
	// Limit is the limit, in the unit of Value.
	Limit float64
	// For is LimitOptions.For when the limit was breached.
	For time.Duration
	// At is when the deciding sample was taken.
	At time.Time
}

// String describes the breach as `status` shows it: "memory 1.2 GB > 1
// GB for 5m", "cpu 153% > 90%" (no "for" when For was 0).
func (b LimitBreach) String() string {
	format := formatPercent
	if b.Resource == LimitMemory {
		format = formatBytes
	}
	s := fmt.Sprintf("%s %s > %s", b.Resource, format(b.Value), format(b.Limit))
	if b.For > 0 {
		s += " for " + formatDuration(b.For)
	}
	return s
}

// formatBytes renders a byte count in the largest 1024-based unit it
// reaches, with at most one decimal: "1.2 GB", "64 MB", "512 B". The units
// are those of the configuration's sizes, where 1GB is 1024 MB.
func formatBytes(n float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	i := 0
	for ; i < len(units)-1 && math.Abs(n) >= 1024; i++ {
		n /= 1024
	}
	return trimDecimal(n) + " " + units[i]
}

// formatPercent renders a percentage with at most one decimal: "153%",
// "12.5%".
func formatPercent(p float64) string { return trimDecimal(p) + "%" }

// trimDecimal renders v rounded to one decimal, without a trailing ".0".
func trimDecimal(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// formatDuration renders d without zero trailing units: "5m", "1h30m",
// "1h", "300ms", where time.Duration's String says "5m0s", "1h0m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// limitSample is one measurement of the child's tree.
type limitSample struct {
	at     time.Time
	memory int64         // bytes (Usage.RSS)
	cpu    time.Duration // CPU time used so far (Usage.CPU)
}

// limitWatch is what the verdict on one sample passes to the next: the
// previous sample, and since when each resource has been over its limit
// (zero when under), with the CPU time used at that moment.
type limitWatch struct {
	prev     limitSample // zero before the first sample
	memSince time.Time
	cpuSince time.Time
	cpuAt    time.Duration // CPU time used at cpuSince
}

// limitVerdict is judgeLimits' verdict on one sample.
type limitVerdict struct {
	watch  limitWatch   // for the next sample
	cpu    float64      // percent of one CPU since the previous sample; -1 unknown
	breach *LimitBreach // restart now; nil otherwise
}

// judgeLimits applies the limits to a sample of the running child's
// tree, given the watch from the child's earlier samples (zero for its
// first). Memory is compared at each sample; CPU over the interval since
// the previous sample (from the second sample on). A resource over its
// limit for For or longer breaches it; memory is named when both do.
func judgeLimits(o LimitOptions, w limitWatch, s limitSample) limitVerdict {
	v := limitVerdict{cpu: -1}
	prev := w.prev
	w.prev = s
	switch {
	case o.Memory <= 0 || s.memory <= o.Memory:
		w.memSince = time.Time{}
	case w.memSince.IsZero():
		w.memSince = s.at
	}
	if o.CPU > 0 && !prev.at.IsZero() && s.at.After(prev.at) {
		// CPU time that went down (a process gone with its time) counts
		// as none.
		v.cpu = max(0, float64(s.cpu-prev.cpu)) / float64(s.at.Sub(prev.at)) * 100
		switch {
		case v.cpu <= o.CPU:
			w.cpuSince, w.cpuAt = time.Time{}, 0
		case w.cpuSince.IsZero():
			w.cpuSince, w.cpuAt = prev.at, prev.cpu
		}
	} else if o.CPU <= 0 {
		w.cpuSince, w.cpuAt = time.Time{}, 0
	}
	v.watch = w
	switch {
	case !w.memSince.IsZero() && s.at.Sub(w.memSince) >= o.For:
		v.breach = &LimitBreach{Resource: LimitMemory, Value: float64(s.memory), Limit: float64(o.Memory), For: o.For, At: s.at}
	case !w.cpuSince.IsZero() && s.at.Sub(w.cpuSince) >= o.For:
		avg := max(0, float64(s.cpu-w.cpuAt)) / float64(s.at.Sub(w.cpuSince)) * 100
		v.breach = &LimitBreach{Resource: LimitCPU, Value: avg, Limit: o.CPU, For: o.For, At: s.at}
	}
	return v
}

// measurer is implemented by the processes whose tree can be measured:
// the real child, and the tests' fakes. The limits apply to them alone.
type measurer interface {
	// usage measures the tree (see Supervisor.Usage). It is called from
	// the limits task, not the loop.
	usage() (Usage, error)
}

// sampled is one sample from the limits task, or why it failed.
type sampled struct {
	t   *task
	s   limitSample
	err error
}

// startLimits resets the watch and starts the task that samples the
// running child's tree every interval, when a limit is set and the tree
// can be measured. It does not touch Status.
func (l *loop) startLimits() *task {
	o := l.s.opts.Limits
	l.watch, l.sampleFailed = limitWatch{}, false
	m, ok := l.proc.(measurer)
	if !o.enabled() || !ok || l.noUsage {
		return nil
	}
	ch, every := l.sampleC, o.interval()
	return l.spawn(func(ctx context.Context, t *task) { sampleTree(ctx, t, m, every, ch) })
}

// sampleTree measures the tree every interval until ctx ends, handing
// each sample to the loop. A tick that comes while the loop has not taken
// the last sample is dropped.
func sampleTree(ctx context.Context, t *task, m measurer, every time.Duration, out chan<- sampled) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		at := time.Now()
		u, err := m.usage()
		deliver(ctx, out, sampled{t: t, s: limitSample{at: at, memory: u.RSS, cpu: u.CPU}, err: err})
	}
}

// onSample applies the limits to a sample of the running child's tree,
// and restarts the child when one is breached. Samples are stored in
// Status (LimitSamples) but not published: they come every second.
func (l *loop) onSample(r sampled) (done bool, err error) {
	if r.t != l.limits {
		return false, nil // from a task already stopped
	}
	if r.err != nil {
		return false, l.sampleError(r.err)
	}
	l.sampleFailed = false
	l.st.LimitSamples++
	before := l.watch
	v := judgeLimits(l.s.opts.Limits, l.watch, r.s)
	l.watch = v.watch
	if v.breach == nil {
		l.logOver(before, v, r.s)
		l.store()
		return false, nil
	}
	l.st.LastLimit = v.breach
	l.s.log.Warn("limit exceeded, restarting", "pid", l.st.PID, "limit", v.breach.String())
	return l.beginStop(CauseLimit) // publishes
}

// sampleError logs a failed sample: once per child, and for good where
// this system cannot measure a tree. It returns nil.
func (l *loop) sampleError(err error) error {
	if errors.Is(err, errors.ErrUnsupported) {
		l.noUsage = true
		l.limits = l.limits.stop()
		l.s.log.Warn("limits are not enforced: the process tree cannot be measured here", "err", err)
		return nil
	}
	if !l.sampleFailed {
		l.s.log.Warn("limit sample failed", "pid", l.st.PID, "err", err)
	}
	l.sampleFailed = true
	return nil
}

// logOver logs when the tree goes over a limit that For lets it exceed
// for a while, and when it comes back under.
func (l *loop) logOver(before limitWatch, v limitVerdict, s limitSample) {
	o := l.s.opts.Limits
	after := v.watch
	switch {
	case before.memSince.IsZero() && !after.memSince.IsZero():
		l.s.log.Info("over the memory limit", "pid", l.st.PID, "memory", formatBytes(float64(s.memory)),
			"limit", formatBytes(float64(o.Memory)), "for", o.For)
	case !before.memSince.IsZero() && after.memSince.IsZero():
		l.s.log.Info("back under the memory limit", "pid", l.st.PID, "memory", formatBytes(float64(s.memory)))
	}
	switch {
	case before.cpuSince.IsZero() && !after.cpuSince.IsZero():
		l.s.log.Info("over the cpu limit", "pid", l.st.PID, "cpu", formatPercent(v.cpu),
			"limit", formatPercent(o.CPU), "for", o.For)
	case !before.cpuSince.IsZero() && after.cpuSince.IsZero():
		l.s.log.Info("back under the cpu limit", "pid", l.st.PID, "cpu", formatPercent(v.cpu))
	}
}
