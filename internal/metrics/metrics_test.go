package metrics

import (
	"bufio"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/wrapper-dev/wrapper/supervisor"
)

// clock is a settable clock for a Recorder.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestRecorder(start time.Time) (*Recorder, *clock) {
	c := &clock{t: start}
	r := NewRecorder()
	r.now = c.now
	return r, c
}

// TestReasonOfEveryCause: each supervisor cause has its own reason, and
// every reason is in the fixed label set.
func TestReasonOfEveryCause(t *testing.T) {
	seen := map[Reason]string{}
	for _, cause := range []string{supervisor.CauseExit, supervisor.CauseHealth, supervisor.CauseRequest, supervisor.CauseUpdate, supervisor.CauseSchedule,
		supervisor.CauseLimit} {
		r := ReasonOf(cause)
		if prev, dup := seen[r]; dup {
			t.Errorf("causes %q and %q both map to %q", prev, cause, r)
		}
		seen[r] = cause
		found := false
		for _, k := range Reasons {
			found = found || k == r
		}
		if !found {
			t.Errorf("cause %q maps to %q, not in Reasons", cause, r)
		}
	}
	if ReasonOf(supervisor.CauseExit) != ReasonCrash || ReasonOf(supervisor.CauseUpdate) != ReasonReload ||
		ReasonOf(supervisor.CauseSchedule) != ReasonSchedule || ReasonOf(supervisor.CauseLimit) != ReasonLimit {
		t.Errorf("exit -> %q, update -> %q, schedule -> %q, limit -> %q", ReasonOf(supervisor.CauseExit),
			ReasonOf(supervisor.CauseUpdate), ReasonOf(supervisor.CauseSchedule), ReasonOf(supervisor.CauseLimit))
	}
}

// TestRecorderCountsEachRestartOnce: repeated status changes of one
// restart count once, with the cause of that restart, in its minute.
func TestRecorderCountsEachRestartOnce(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r, c := newTestRecorder(t0)
	r.Observe(supervisor.Status{State: supervisor.StateRunning}) // the first start: no restart
	r.Observe(supervisor.Status{Restarts: 1, LastRestartCause: supervisor.CauseExit, State: supervisor.StateStarting})
	r.Observe(supervisor.Status{Restarts: 1, LastRestartCause: supervisor.CauseExit, State: supervisor.StateRunning})
	c.t = t0.Add(2 * time.Minute)
	r.Observe(supervisor.Status{Restarts: 2, LastRestartCause: supervisor.CauseRequest})
	r.Sample(5 << 20)
	c.t = t0.Add(3 * time.Minute)
	r.Observe(supervisor.Status{Restarts: 3, LastRestartCause: supervisor.CauseHealth})

	got := r.Restarts()
	want := map[Reason]int64{ReasonCrash: 1, ReasonRequest: 1, ReasonHealth: 1, ReasonReload: 0, ReasonSchedule: 0, ReasonLimit: 0}
	if len(got) != len(want) {
		t.Errorf("restarts %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("restarts %v, want %v", got, want)
		}
	}
	if rec := r.Recent(); len(rec) != 3 || rec[1].Reason != ReasonRequest || !rec[2].At.Equal(c.t) {
		t.Errorf("recent %+v", rec)
	}
	hour := r.Hour()
	if len(hour) != 60 || !hour[59].Start.Equal(c.t.Truncate(time.Minute)) {
		t.Fatalf("hour: %d minutes, last starts %v", len(hour), hour[len(hour)-1].Start)
	}
	// Minutes 56 (t0), 57 (nothing), 58 (request, 5 MiB), 59 (health).
	if hour[56].Restarts != 1 || hour[57].Restarts != 0 || hour[58].Restarts != 1 || !hour[58].Sampled ||
		hour[58].RSS != 5<<20 || hour[59].Restarts != 1 || hour[59].Sampled {
		t.Errorf("last minutes %+v", hour[56:])
	}
	// An hour later the old minutes are gone, not counted again.
	c.t = t0.Add(62 * time.Minute)
	r.Observe(supervisor.Status{Restarts: 4, LastRestartCause: supervisor.CauseExit})
	total := 0
	for _, m := range r.Hour() {
		total += m.Restarts
	}
	if total != 2 { // minute 3 (health) and now
		t.Errorf("restarts in the last hour: %d, want 2", total)
	}
}

// scrape runs the handler once and parses the text format.
func scrape(t *testing.T, src Source) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	New(src).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, rec.Body)
	}
	return fams
}

// value returns the value of the sample of name whose labels include
// the given name=value pairs.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			match := false
			for _, l := range m.Label {
				match = match || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			if !match {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no sample of %s with %v", name, labels)
	return 0
}

type fakeLog struct{ w, d, r int64 }

func (f fakeLog) Written() int64   { return f.w }
func (f fakeLog) Dropped() int64   { return f.d }
func (f fakeLog) Rotations() int64 { return f.r }

// TestExportNamesAndValues: every metric with the value of its source,
// in base units; series that have no value are absent.
func TestExportNamesAndValues(t *testing.T) {
	started := time.Unix(1700000000, 500e6)
	st := supervisor.Status{State: supervisor.StateRunning, PID: 4242, Started: started, Restarts: 2,
		LastRestartCause: supervisor.CauseHealth, Health: supervisor.HealthUnhealthy, HealthCheckDuration: 250 * time.Millisecond,
		LastExit: &supervisor.Exit{Code: 3}}
	r := NewRecorder()
	r.Observe(st)
	src := Source{
		Version: "v9.9.9",
		Status:  func() supervisor.Status { return st },
		Usage: func() (supervisor.Usage, error) {
			return supervisor.Usage{CPU: 1500 * time.Millisecond, RSS: 7 << 20, Processes: 3}, nil
		},
		Health:   func() bool { return true },
		Logs:     []Log{{"stdout+stderr", fakeLog{100, 5, 2}}, {"wrapper", fakeLog{10, 0, 0}}},
		Recorder: r,
	}
	f := scrape(t, src)
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"wrapper_up", nil, 1},
		{"wrapper_build_info", []string{"version", "v9.9.9"}, 1},
		{"wrapper_child_state", []string{"state", "running"}, 1},
		{"wrapper_child_state", []string{"state", "backoff"}, 0},
		{"wrapper_child_pid", nil, 4242},
		{"wrapper_child_start_time_seconds", nil, 1700000000.5},
		{"wrapper_restarts_total", []string{"reason", "health"}, 2},
		{"wrapper_restarts_total", []string{"reason", "limit"}, 0},
		{"wrapper_child_last_exit_code", nil, 3},
		{"wrapper_health_status", []string{"status", "unhealthy"}, 1},
		{"wrapper_health_status", []string{"status", "healthy"}, 0},
		{"wrapper_health_check_duration_seconds", nil, 0.25},
		{"wrapper_log_written_bytes_total", []string{"stream", "stdout+stderr"}, 100},
		{"wrapper_log_dropped_bytes_total", []string{"stream", "stdout+stderr"}, 5},
		{"wrapper_log_rotations_total", []string{"stream", "stdout+stderr"}, 2},
		{"wrapper_log_written_bytes_total", []string{"stream", "wrapper"}, 10},
		{"wrapper_child_cpu_seconds_total", nil, 1.5},
		{"wrapper_child_resident_memory_bytes", nil, 7 << 20},
		{"wrapper_child_processes", nil, 3},
	}
	for _, c := range checks {
		if got := value(t, f, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if fam := f["wrapper_restarts_total"]; fam.GetType() != dto.MetricType_COUNTER || len(fam.Metric) != len(Reasons) {
		t.Errorf("wrapper_restarts_total: type %v, %d series; want a counter with %d", fam.GetType(), len(fam.Metric), len(Reasons))
	}

	// No child, no health check, no exit yet: those series are absent.
	st = supervisor.Status{State: supervisor.StateBackoff}
	src.Usage = func() (supervisor.Usage, error) { return supervisor.Usage{}, supervisor.ErrNoChild }
	src.Health = func() bool { return false }
	f = scrape(t, src)
	for _, name := range []string{"wrapper_child_cpu_seconds_total", "wrapper_health_status", "wrapper_child_last_exit_code", "wrapper_child_start_time_seconds"} {
		if _, ok := f[name]; ok {
			t.Errorf("%s present without a value", name)
		}
	}
	if value(t, f, "wrapper_child_pid") != 0 || value(t, f, "wrapper_child_state", "state", "backoff") != 1 {
		t.Error("pid or state wrong for a child in backoff")
	}
}

// TestExpositionEscapesAndFormats: label values and HELP texts that hold
// the format's special characters come out escaped, values in the
// format's spellings, and the parser reads back what was written.
func TestExpositionEscapesAndFormats(t *testing.T) {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	e := &exposition{w: w}
	f := family{"test_value", "a help text with a \\ and a\nsecond line", "gauge", []string{"l"}}
	e.head(f)
	e.sample(f, 1.5, "quote \" backslash \\ newline \n end")
	e.sample(f, math.Inf(1), "inf")
	e.sample(f, 1e21, "big")
	_ = w.Flush()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b.String())
	}
	if got := fams["test_value"].GetHelp(); got != "a help text with a \\ and a\nsecond line" {
		t.Errorf("help read back as %q", got)
	}
	if got := value(t, fams, "test_value", "l", "quote \" backslash \\ newline \n end"); got != 1.5 {
		t.Errorf("escaped label: %v", got)
	}
	if !math.IsInf(value(t, fams, "test_value", "l", "inf"), 1) || value(t, fams, "test_value", "l", "big") != 1e21 {
		t.Errorf("special values not read back:\n%s", b.String())
	}
}
