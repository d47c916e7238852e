package metrics

import (
	"bufio"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"

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

// New returns the /metrics handler. It writes the Prometheus text
// exposition format (version 0.0.4) itself: the format is small and
// stable, and the client library's package initialisation (its global
// registry with the Go and process collectors, protobuf descriptors) ran
// in every wrapper, /metrics or not, and cost the plain path start-up time
// and memory (docs/performance.md). The real Prometheus of the tests
// parses what it writes.
func New(src Source) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		bw := bufio.NewWriter(w)
		writeMetrics(&exposition{w: bw}, src)
		_ = bw.Flush()
	})
}

// family is one metric's name, help, type and label names.
type family struct {
	name, help, kind string
	labels           []string
}

// The wrapper's metrics. Names follow Prometheus conventions: base units
// (seconds, bytes) in the name, _total for counters.
var (
	famUp         = family{"wrapper_up", "1 while the wrapper runs and answers scrapes.", "gauge", nil}
	famBuild      = family{"wrapper_build_info", "The wrapper's version and Go version, as labels; always 1.", "gauge", []string{"version", "goversion"}}
	famState      = family{"wrapper_child_state", "1 for the supervisor's current state, 0 for the others.", "gauge", []string{"state"}}
	famPID        = family{"wrapper_child_pid", "Process id of the running child; 0 when none runs.", "gauge", nil}
	famStart      = family{"wrapper_child_start_time_seconds", "Unix time the current (or last) child started.", "gauge", nil}
	famRestarts   = family{"wrapper_restarts_total", "Restarts of the child by reason (crash, health, reload, request, schedule, limit).", "counter", []string{"reason"}}
	famExit       = family{"wrapper_child_last_exit_code", "Exit code of the child's last exit; -1 when a signal killed it or it failed to start.", "gauge", nil}
	famHealth     = family{"wrapper_health_status", "1 for the running child's health (starting, healthy, unhealthy), 0 for the others; all 0 when no child runs.", "gauge", []string{"status"}}
	famHealthTime = family{"wrapper_health_check_duration_seconds", "How long the last health check took.", "gauge", nil}
	famWritten    = family{"wrapper_log_written_bytes_total", "Bytes written to a log file and its rotated predecessors.", "counter", []string{"stream"}}
	famDropped    = family{"wrapper_log_dropped_bytes_total", "Bytes lost to write errors on a log file.", "counter", []string{"stream"}}
	famRotations  = family{"wrapper_log_rotations_total", "Rotations of a log file.", "counter", []string{"stream"}}
	famCPU        = family{"wrapper_child_cpu_seconds_total", "CPU time (user and system) of the child's process tree; restarts from 0 with each child.", "counter", nil}
	famRSS        = family{"wrapper_child_resident_memory_bytes", "Memory of the child's process tree: resident memory summed over its processes, or its cgroup's memory less inactive file cache.", "gauge", nil}
	famProcs      = family{"wrapper_child_processes", "Live processes in the child's process tree.", "gauge", nil}
)

// states are the label values of wrapper_child_state.
var states = []supervisor.State{supervisor.StateWaiting, supervisor.StateStarting, supervisor.StateRunning,
	supervisor.StateBackoff, supervisor.StateStopping, supervisor.StateStopped, supervisor.StateGaveUp, supervisor.StateExited}

// healths are the label values of wrapper_health_status.
var healths = []string{supervisor.HealthStarting, supervisor.HealthHealthy, supervisor.HealthUnhealthy}

// writeMetrics writes one snapshot of src: the status is read once per
// scrape, so the figures agree with each other.
func writeMetrics(e *exposition, src Source) {
	st := src.Status()
	e.one(famUp, 1)
	e.one(famBuild, 1, src.Version, runtime.Version())
	e.head(famState)
	for _, s := range states {
		e.sample(famState, b2f(st.State == s), string(s))
	}
	e.one(famPID, float64(st.PID))
	if !st.Started.IsZero() {
		e.one(famStart, float64(st.Started.UnixNano())/1e9)
	}
	e.head(famRestarts)
	restarts := src.Recorder.Restarts()
	for _, reason := range Reasons {
		e.sample(famRestarts, float64(restarts[reason]), string(reason))
	}
	if st.LastExit != nil {
		e.one(famExit, float64(st.LastExit.Code))
	}
	if src.Health != nil && src.Health() {
		e.head(famHealth)
		for _, h := range healths {
			e.sample(famHealth, b2f(st.Health == h), h)
		}
		e.one(famHealthTime, st.HealthCheckDuration.Seconds())
	}
	for _, f := range []struct {
		fam   family
		value func(LogCounters) int64
	}{{famWritten, LogCounters.Written}, {famDropped, LogCounters.Dropped}, {famRotations, LogCounters.Rotations}} {
		e.head(f.fam)
		for _, l := range src.Logs {
			e.sample(f.fam, float64(f.value(l.Counters)), l.Stream)
		}
	}
	if u, err := src.Usage(); err == nil {
		e.one(famCPU, u.CPU.Seconds())
		e.one(famRSS, float64(u.RSS))
		e.one(famProcs, float64(u.Processes))
	}
}

// exposition writes the text format: each family's HELP and TYPE lines,
// then its samples.
type exposition struct{ w *bufio.Writer }

// head writes f's HELP and TYPE lines.
func (e *exposition) head(f family) {
	e.w.WriteString("# HELP " + f.name + " " + escapeHelp(f.help) + "\n# TYPE " + f.name + " " + f.kind + "\n")
}

// one writes a family with a single sample.
func (e *exposition) one(f family, v float64, labels ...string) {
	e.head(f)
	e.sample(f, v, labels...)
}

// sample writes one sample of f with the label values in f.labels' order.
func (e *exposition) sample(f family, v float64, values ...string) {
	e.w.WriteString(f.name)
	for i, name := range f.labels {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		e.w.WriteString(sep + name + `="` + escapeLabel(values[i]) + `"`)
	}
	if len(f.labels) > 0 {
		e.w.WriteByte('}')
	}
	e.w.WriteString(" " + formatValue(v) + "\n")
}

// escapeHelp escapes a HELP text as the format asks: backslash and newline.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// escapeLabel escapes a label value: backslash, double quote and newline.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// formatValue writes a sample value as Go's shortest float, with the
// format's spellings of the infinities and NaN.
func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
