package wrapper

import (
	"fmt"
	"io"

	"github.com/wrapper-dev/wrapper/config"
)

// The platform seam. Everything that differs between Windows and the other
// systems is behind these identifiers, each defined once per platform in
// platform_windows.go and platform_notwindows.go (the service-management
// commands in install_windows.go and install_notwindows.go):
//
//	serviceEntry(args, stderr) (handled bool, code int)
//	    runs the service when a service manager started this process with
//	    its own entry point (the Windows SCM); systemd needs none.
//	platformCommands() []command
//	    install, uninstall, start, stop, restart for the platform's service
//	    manager (SCM, or systemd, which answers ExitNoServiceManager where it
//	    does not run).
//	serviceStateLabel
//	    what `wrapper status` calls the service manager's state.
//	serviceState(name) string
//	    the service manager's state of the service, "" when it cannot tell.
//	serviceRunning(ctx, name) error
//	    whether another service runs (SCM RUNNING, systemd unit active),
//	    the check of a wait_for service condition.
//	serviceDrift(cfg) []string
//	    installed settings that differ from the YAML.
//	wrapperExpect(name) control.Expect
//	    the process the service manager runs for the service (systemd's
//	    MainPID, the SCM's process id), which the CLI requires at the
//	    other end of the control endpoint.
//	(h *host) reloadOnSignal(ctx) (stop func())
//	    reloads on the platform's reload signal (SIGHUP); Windows has none
//	    (the SCM's paramchange reaches the host through the control pipe).
//	notifyServiceManager(ctx, onStatus, logger) (wrapped, stop)
//	    tells the service manager about state changes (sd_notify); on
//	    Windows the service handler reports to the SCM itself.
//	replaceService(name, yaml, logDir, stdout, stderr) int
//	    runs the wrapper in the place of an installed service's program
//	    (wrapper import --replace); Windows only.
//	platformHelpers (tests)
//	    fake-child helpers only the platform's tests use.

// trustChecker checks one file, and the directories above it, for accounts
// other than the trusted ones that could change it (systemd.Trust,
// scm.Trust).
type trustChecker interface {
	Check(path string) ([]string, error)
}

// refuseUntrusted is install's StrictModes-like check, the same on both
// platforms: every finding of trust for the wrapper and the files the
// service runs or reads is a refusal (ExitUsage) with who, what and fix
// spelled out, or with force a warning.
func refuseUntrusted(trust trustChecker, cfg *config.Config, exe string, force bool, who, fix string, stderr io.Writer) int {
	var found []string
	for _, path := range append([]string{exe}, cfg.ServiceFiles()...) {
		f, err := trust.Check(path)
		if err != nil {
			f = append(f, err.Error())
		}
		found = append(found, f...)
	}
	switch {
	case len(found) == 0:
		return ExitOK
	case force:
		for _, f := range found {
			fmt.Fprintf(stderr, "wrapper install: warning: %s\n", f)
		}
		return ExitOK
	}
	fmt.Fprintf(stderr, "wrapper install: refused: %s can change what the service runs or reads:\n", who)
	for _, f := range found {
		fmt.Fprintf(stderr, "  %s\n", f)
	}
	fmt.Fprintln(stderr, fix)
	return ExitUsage
}
