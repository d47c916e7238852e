package config

import "time"

// Defaults of the health, wait_for and hooks keys.
const (
	defaultHealthInterval   = 10 * time.Second
	defaultHealthTimeout    = 5 * time.Second
	defaultHealthFailures   = 3
	defaultConditionTimeout = time.Minute
	defaultHookTimeout      = 30 * time.Second
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

// Condition is one wait_for item: a condition that must be met before every
// start of the program. Exactly one of TCP, File and HTTP is set.
type Condition struct {
	// TCP is a host:port to which a TCP connection must open.
	TCP string
	// File is the absolute path of a file (or directory) that must exist.
	File string
	// HTTP is an http:// or https:// URL whose GET must answer with a 2xx
	// or 3xx status.
	HTTP string
	// Timeout is how long the condition may stay unmet before that start
	// counts as failed (restart backoff and max_failures apply).
	// Default: 1m.
	Timeout time.Duration
}

// Hooks are commands run around every life of the program.
type Hooks struct {
	// PreStart runs before every start, after wait_for; a failure prevents
	// that start and counts as a failed start.
	PreStart Hook
	// PostStart runs after every start, beside the program; a failure is
	// only logged.
	PostStart Hook
	// PreStop runs before every graceful stop (not when the program exits
	// by itself); the stop request follows it whatever its result.
	PreStop Hook
	// PostStop runs after every exit of the program, before the restart
	// decision.
	PostStop Hook
}

// Hook is one hook command.
type Hook struct {
	// Command is the program and its arguments, never run through a shell;
	// Command[0] is resolved like Executable. nil means no hook.
	Command []string
	// Timeout bounds one run; a hook that takes longer is killed with its
	// process tree and has failed. Default: 30s.
	Timeout time.Duration
}
