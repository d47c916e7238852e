package config

import "time"

// Defaults of the health keys.
const (
	defaultHealthInterval = 10 * time.Second
	defaultHealthTimeout  = 5 * time.Second
	defaultHealthFailures = 3
)

// Health is the health check of the running program: exactly one of HTTP,
// TCP and Command is set, or none when there is no health check (see
// Enabled). The durations and Failures always hold their values, defaults
// included.
type Health struct {
	// HTTP is an http:// or https:// URL whose GET must answer with a 2xx
	// or 3xx status (redirects are not followed). Default: "".
	HTTP string
	// TCP is a host:port to which a TCP connection must open. Default: "".
	TCP string
	// Command is a program and its arguments (never run through a shell)
	// that must exit with code 0. Command[0] is resolved like Executable;
	// it runs in WorkingDirectory with the program's environment. Default:
	// nil.
	Command []string
	// Interval is the wait before each check: from the program's start to
	// the first, and from the end of one check to the next. Default: 10s.
	Interval time.Duration
	// Timeout bounds each check; a check that takes longer fails.
	// Default: 5s.
	Timeout time.Duration
	// StartPeriod is how long after each start failed checks are not
	// counted. Default: 0.
	StartPeriod time.Duration
	// Failures is the number of consecutive failed checks after which the
	// program is restarted gracefully; that restart counts as a failure
	// for restart.max_failures. At least 1. Default: 3.
	Failures int
}

// Enabled reports whether a health check is configured.
func (h Health) Enabled() bool {
	return h.HTTP != "" || h.TCP != "" || len(h.Command) > 0
}

// rawHealth is the health section as written; line is the `health` key's.
type rawHealth struct {
	line                           int
	http, tcp                      val[string]
	command                        val[[]val[string]]
	interval, timeout, startPeriod val[time.Duration]
	failures                       val[int]
}

// healthField is the health section's entry in the field table.
func healthField(r *rawHealth) field {
	return field{name: "health", line: &r.line, sub: []field{
		{name: "http", decode: str(&r.http)},
		{name: "tcp", decode: str(&r.tcp)},
		{name: "command", decode: command(&r.command)},
		{name: "interval", decode: duration(&r.interval)},
		{name: "timeout", decode: duration(&r.timeout)},
		{name: "start_period", decode: duration(&r.startPeriod)},
		{name: "failures", decode: count(&r.failures)},
	}}
}

// health resolves the health section.
func (rs *resolver) health(r *rawHealth) Health {
	out := Health{
		Interval:    or(r.interval, defaultHealthInterval),
		Timeout:     or(r.timeout, defaultHealthTimeout),
		StartPeriod: or(r.startPeriod, 0),
		Failures:    or(r.failures, defaultHealthFailures),
	}
	rs.positive(r.interval, "health.interval")
	rs.positive(r.timeout, "health.timeout")
	if r.failures.set && r.failures.v < 1 {
		rs.ps.add(r.failures.line, "health.failures", "must be at least 1, got %d", r.failures.v)
	}
	alts := []alt{{name: "http", v: r.http}, {name: "tcp", v: r.tcp}, {name: "command", cmd: r.command}}
	used := alts[0].present() || alts[1].present() || alts[2].present() ||
		written(r.interval) || written(r.timeout) || written(r.startPeriod) || written(r.failures)
	if used && rs.oneOf("health", r.line, false, alts) {
		out.HTTP = rs.httpURL(r.http, "health.http")
		out.TCP = rs.address(r.tcp, "health.tcp")
		out.Command = rs.command(r.command, "health.command")
	}
	return out
}
