package wrapper

import (
	"errors"
	"log/slog"

	"github.com/wrapper-dev/wrapper/supervisor"
)

// Exit codes of the wrapper process, a documented contract: the usage text
// is generated from exitCodes, and a test checks README.md's table against
// it. A Windows service reports the same numbers as its service-specific
// exit code.
const (
	// ExitOK: stopped on request, or the child finished successfully and
	// the restart policy does not restart it.
	ExitOK = 0
	// ExitError: a runtime failure of the wrapper itself (for example the
	// log directory cannot be created).
	ExitError = 1
	// ExitUsage: bad command line or invalid configuration file.
	ExitUsage = 2
	// ExitChildFailed: the child failed and the policy forbids a restart
	// (policy never, or a fatal exit code).
	ExitChildFailed = 3
	// ExitGaveUp: the circuit breaker tripped after restart.max_failures
	// consecutive failures.
	ExitGaveUp = 4
	// ExitNotAdmin: a service command lacks the rights it needs. Windows:
	// run it from an elevated prompt; Linux: run it as root.
	ExitNotAdmin = 5
	// ExitNotRunning: `status` found no running wrapper; start, stop and
	// uninstall found no installed service. (The LSB's "program is not
	// running" has another meaning here.)
	ExitNotRunning = 6
	// ExitNoServiceManager: there is no service manager to ask. Linux:
	// systemd is not the running init (a container, WSL without systemd)
	// or systemctl is missing; `wrapper run` still works.
	ExitNoServiceManager = 7
)

// exitCodes lists every exit code with its meaning, as `wrapper help` and
// README.md's table say it. decision marks the wrapper's own decisions,
// after which the service manager must not restart it.
var exitCodes = []struct {
	code     int
	meaning  string
	decision bool
}{
	{ExitOK, "stopped on request (signal, service stop), or the child exited with a success code and the policy does not restart it", false},
	{ExitError, "runtime error of the wrapper itself (e.g. the log directory cannot be created)", false},
	{ExitUsage, "bad command line, or invalid configuration (every problem is printed as `file:line: key: message`)", true},
	{ExitChildFailed, "the child failed and the policy forbids a restart (`policy: never`, or a `fatal_exit_codes` code)", true},
	{ExitGaveUp, "gave up: `restart.max_failures` consecutive failures (circuit breaker)", true},
	{ExitNotAdmin, "a service command lacks administrator (Windows) or root (Linux) rights", false},
	{ExitNotRunning, "`status`: no wrapper is running for the service; `start`/`stop`/`uninstall`: the service is not installed", false},
	{ExitNoServiceManager, "no service manager (Linux: systemd is not running, or `systemctl` is missing); `wrapper run` still works", false},
}

// noRestartCodes are the exit codes that are the wrapper's own decisions,
// not crashes: the service manager must not restart the wrapper after them.
func noRestartCodes() []int {
	var codes []int
	for _, c := range exitCodes {
		if c.decision {
			codes = append(codes, c.code)
		}
	}
	return codes
}

// exitCode maps the supervisor's result to the wrapper's exit code.
func exitCode(err error, logger *slog.Logger) int {
	var exitErr *supervisor.ExitError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, supervisor.ErrGaveUp):
		logger.Error("giving up", "err", err)
		return ExitGaveUp
	case errors.As(err, &exitErr):
		logger.Error("child failed and will not be restarted", "err", err)
		return ExitChildFailed
	default:
		logger.Error("supervisor failed", "err", err)
		return ExitError
	}
}
