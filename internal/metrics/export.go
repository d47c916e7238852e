package metrics

import (
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wrapper-dev/wrapper/supervisor"
)

// LogCounters is what a log file counts (*logrotate.File has it).
type LogCounters interface {
	Written() int64
	Dropped() int64
	Rotations() int64
}

// Log is one log file as the metrics label it.
type Log struct {
	// Stream is the stream label: stdout, stderr, wrapper, or
	// stdout+stderr for one file that takes both.
	Stream string
	// Counters is the file.
	Counters LogCounters
}

// Source is where a scrape reads its figures, at the time of the scrape:
// nothing is sampled between scrapes.
type Source struct {
	// Version is the wrapper's version (wrapper_build_info).
	Version string
	// Status returns the supervisor's snapshot.
	Status func() supervisor.Status
	// Usage measures the child's process tree; an error leaves its
	// metrics out of that scrape.
	Usage func() (supervisor.Usage, error)
	// Health reports whether a health check is configured; without one
	// the health metrics are left out.
	Health func() bool
	// Logs are the log files.
	Logs []Log
	// Recorder counts restarts by reason.
	Recorder *Recorder
}

// New returns the /metrics handler: a private registry (never the
// client library's global one) holding the wrapper's collector and the
// standard process_* and go_* collectors of the wrapper process itself.
func New(src Source) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(src),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector())
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// The wrapper's metrics. Names follow Prometheus conventions: base units
// (seconds, bytes) in the name, _total for counters.
var (
	descUp         = desc("wrapper_up", "1 while the wrapper runs and answers scrapes.")
	descBuild      = desc("wrapper_build_info", "The wrapper's version and Go version, as labels; always 1.", "version", "goversion")
	descState      = desc("wrapper_child_state", "1 for the supervisor's current state, 0 for the others.", "state")
	descPID        = desc("wrapper_child_pid", "Process id of the running child; 0 when none runs.")
	descStart      = desc("wrapper_child_start_time_seconds", "Unix time the current (or last) child started.")
	descRestarts   = desc("wrapper_restarts_total", "Restarts of the child by reason (crash, health, reload, request, schedule, limit).", "reason")
	descExit       = desc("wrapper_child_last_exit_code", "Exit code of the child's last exit; -1 when a signal killed it or it failed to start.")
	descHealth     = desc("wrapper_health_status", "1 for the running child's health (starting, healthy, unhealthy), 0 for the others; all 0 when no child runs.", "status")
	descHealthTime = desc("wrapper_health_check_duration_seconds", "How long the last health check took.")
	descWritten    = desc("wrapper_log_written_bytes_total", "Bytes written to a log file and its rotated predecessors.", "stream")
	descDropped    = desc("wrapper_log_dropped_bytes_total", "Bytes lost to write errors on a log file.", "stream")
	descRotations  = desc("wrapper_log_rotations_total", "Rotations of a log file.", "stream")
	descCPU        = desc("wrapper_child_cpu_seconds_total", "CPU time (user and system) of the child's process tree; restarts from 0 with each child.")
	descRSS        = desc("wrapper_child_resident_memory_bytes", "Resident memory of the child's process tree, summed over its processes.")
	descProcs      = desc("wrapper_child_processes", "Live processes in the child's process tree.")
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// states are the label values of wrapper_child_state.
var states = []supervisor.State{supervisor.StateWaiting, supervisor.StateStarting, supervisor.StateRunning,
	supervisor.StateBackoff, supervisor.StateStopping, supervisor.StateStopped, supervisor.StateGaveUp, supervisor.StateExited}

// healths are the label values of wrapper_health_status.
var healths = []string{supervisor.HealthStarting, supervisor.HealthHealthy, supervisor.HealthUnhealthy}

// collector turns one Source reading into metrics at each scrape.
type collector struct{ src Source }

func newCollector(src Source) *collector { return &collector{src: src} }

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descBuild, descState, descPID, descStart, descRestarts, descExit,
		descHealth, descHealthTime, descWritten, descDropped, descRotations, descCPU, descRSS, descProcs} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: one snapshot of the status per
// scrape, so the figures agree with each other.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	st := c.src.Status()
	gauge(descUp, 1)
	gauge(descBuild, 1, c.src.Version, runtime.Version())
	for _, s := range states {
		gauge(descState, b2f(st.State == s), string(s))
	}
	gauge(descPID, float64(st.PID))
	if !st.Started.IsZero() {
		gauge(descStart, float64(st.Started.UnixNano())/1e9)
	}
	for reason, n := range c.src.Recorder.Restarts() {
		counter(descRestarts, float64(n), string(reason))
	}
	if st.LastExit != nil {
		gauge(descExit, float64(st.LastExit.Code))
	}
	if c.src.Health != nil && c.src.Health() {
		for _, h := range healths {
			gauge(descHealth, b2f(st.Health == h), h)
		}
		gauge(descHealthTime, st.HealthCheckDuration.Seconds())
	}
	for _, l := range c.src.Logs {
		counter(descWritten, float64(l.Counters.Written()), l.Stream)
		counter(descDropped, float64(l.Counters.Dropped()), l.Stream)
		counter(descRotations, float64(l.Counters.Rotations()), l.Stream)
	}
	if u, err := c.src.Usage(); err == nil {
		counter(descCPU, u.CPU.Seconds())
		gauge(descRSS, float64(u.RSS))
		gauge(descProcs, float64(u.Processes))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
