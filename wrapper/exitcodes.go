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
	// the restart policy does not restart it, or exited with a code whose
	// restart.on_exit action is stop.
	ExitOK = 0
	// ExitError: a runtime failure of the wrapper itself (for example the
	// log directory cannot be created); for `install --csv`, a service
	// that failed while the others were applied.
	ExitError = 1
	// ExitUsage: bad command line, invalid configuration file, or an
	// `install --csv` file with a wrong row (nothing is changed then); or
	// a configuration this host or account cannot run: a `user` the
	// wrapper cannot switch to, a `priority` it may not raise the child
	// to, an `affinity` with none of its CPUs.
	ExitUsage = 2
	// ExitChildFailed: the child failed and the policy forbids a restart
	// (policy never, a fatal exit code, or the on_exit action fatal).
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

// Whether the service manager restarts a wrapper service that ended with a
// code: the outcome table, the same under systemd and the SCM, and in
// README.md.
const (
	restartNever  = "no"                                   // stop on request, or the wrapper's own decision
	restartAfter  = "yes, after `service.recovery` delays" // a failure the wrapper cannot mend itself
	restartNotRun = "—"                                    // a command's answer, never a service's end
)

// exitCodes lists every exit code with its meaning and its outcome for a
// service, as `wrapper help` and README.md's table say it.
var exitCodes = []struct {
	code    int
	meaning string
	restart string // restartNever, restartAfter or restartNotRun
}{
	{ExitOK, "stopped on request (signal, service stop), or the child exited with a success code and the policy does not restart it, or with an `on_exit: stop` code", restartNever},
	{ExitError, "runtime error of the wrapper itself (e.g. the log directory cannot be created); `install --csv`: a service failed, the others were applied", restartAfter},
	{ExitUsage, "bad command line, or invalid configuration or `install --csv` file, which then changes nothing (every problem is printed as `file:line: key: message`); or a configuration this host or account cannot run (`user` without root, `priority` above what the wrapper may give, `affinity` naming none of its CPUs)", restartNever},
	{ExitChildFailed, "the child failed and the policy forbids a restart (`policy: never`, a `fatal_exit_codes` code, or an `on_exit: fatal` code)", restartNever},
	{ExitGaveUp, "gave up: `restart.max_failures` consecutive failures (circuit breaker)", restartAfter},
	{ExitNotAdmin, "a service command lacks administrator (Windows) or root (Linux) rights", restartNotRun},
	{ExitNotRunning, "`status`: no wrapper is running for the service; `start`/`stop`/`uninstall`: the service is not installed", restartNotRun},
	{ExitNoServiceManager, "no service manager (Linux: systemd is not running, or `systemctl` is missing); `wrapper run` still works", restartNotRun},
}

// managerRestarts reports whether the service manager restarts a wrapper
// service that ended with code.
func managerRestarts(code int) bool {
	for _, c := range exitCodes {
		if c.code == code {
			return c.restart == restartAfter
		}
	}
	return true // not a code of ours: a crash
}

// noRestartCodes are the non-zero exit codes of a service run after which
// the service manager must not restart the wrapper: its own decisions, not
// crashes (systemd's RestartPreventExitStatus=).
func noRestartCodes() []int {
	var codes []int
	for _, c := range exitCodes {
		if c.code != ExitOK && c.restart == restartNever {
			codes = append(codes, c.code)
		}
	}
	return codes
}

// scmExit turns a service run's exit code into what the service reports to
// the SCM when it stops. The SCM runs the recovery actions ("enable actions
// for stops with errors", which install sets) for any stop whose win32
// exit code is not 0, so an outcome the manager must not restart is
// reported as 0, with its reason in the Event Log; the others are reported
// as a service-specific code (win32 1066), which `sc query` shows.
func scmExit(code int) (serviceSpecific bool, exitCode uint32) {
	if code == ExitOK || !managerRestarts(code) {
		return false, 0
	}
	return true, uint32(code)
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
