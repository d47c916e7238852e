package wrapper

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
//	    does not run), and list: the services that run a wrapper.
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
//	childAccount(cfg) (*supervisor.Account, error)
//	    the account the child runs as (user, group): looked up on this
//	    machine, refused unless the wrapper is root or that account
//	    already; Windows has none (the configuration refuses user there).
//	replaceService(name, yaml, logDir, stdout, stderr) int
//	    runs the wrapper in the place of an installed service's program
//	    (wrapper import --replace); Windows only.
//	exitWorkBudget(cfg) time.Duration
//	    how long after a stop request the wrapper may still work before it
//	    exits (compressing the logs' backups): within what the service
//	    manager waits for.
//	platformHelpers (tests)
//	    fake-child helpers only the platform's tests use.
