package wrapper

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"golang.org/x/sys/windows/svc"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/scm"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// serviceStateLabel names the service manager's state in `wrapper status`.
const serviceStateLabel = "scm state"

// serviceEntry runs the Windows service when the SCM started this process,
// reaching svc.Run at once: the SCM gives up (error 1053) on a service that
// does not connect within seconds, so nothing slow happens before.
func serviceEntry(args []string, stderr io.Writer) (bool, int) {
	if !scm.StartedBySCM() {
		return false, 0
	}
	path, err := serviceConfigFlag(args)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper: service arguments: %v\n", err)
		return true, ExitUsage
	}
	h := &serviceHandler{configPath: path, load: loadServiceConfig, run: runHost, openEvents: scm.OpenEventLog}
	if err := svc.Run("", h); err != nil {
		fmt.Fprintf(stderr, "wrapper: service dispatcher: %v\n", err)
		return true, ExitError
	}
	return true, h.code
}

// serviceState returns the SCM's state of the service.
func serviceState(name string) string { return scm.State(name) }

// serviceRunning is the check of a wait_for service condition: nil when
// the SCM reports service name RUNNING. The SCM answers a local query at
// once, so ctx is not needed.
func serviceRunning(_ context.Context, name string) error { return scm.Running(name) }

// wrapperExpect names the SCM's process of the service, when it runs
// one, as the only process that may serve the control pipe.
func wrapperExpect(name string) control.Expect {
	return control.Expect{PID: scm.ProcessID(name), Manager: "the SCM"}
}

// serviceDrift lists the settings only the SCM holds where the installed
// service differs from the YAML. A user account's password is not needed
// for the comparison.
func serviceDrift(cfg *config.Config) []string {
	exe, err := executable()
	if err != nil {
		return nil
	}
	return scm.Drift(scmService(cfg, exe, nil))
}

// reloadOnSignal does nothing on Windows: there is no reload signal; the
// service handler turns `sc control NAME paramchange` into a reload request
// on the control pipe instead.
func (h *host) reloadOnSignal(context.Context) (stop func()) { return func() {} }

// notifyServiceManager returns onStatus as it is: the service handler
// reports to the SCM itself.
func notifyServiceManager(_ context.Context, onStatus func(supervisor.Status), _ *slog.Logger) (func(supervisor.Status), func()) {
	return onStatus, func() {}
}

// replaceService runs this wrapper, with --config yaml, in the place of
// service name's program (wrapper import --replace), printing each step.
func replaceService(name, yaml, logDir string, stdout, stderr io.Writer) int {
	exe, err := executable()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper import: %v\n", err)
		return ExitError
	}
	r := scm.Replacement{Name: name, Exe: exe, Args: []string{"--config", yaml}, LogDir: logDir}
	if err := scm.Replace(r, func(step string) { fmt.Fprintf(stdout, "wrapper import: %s\n", step) }); err != nil {
		return adminOr(stderr, "import --replace", err)
	}
	fmt.Fprintf(stdout, "service %s now runs the wrapper; see it with: wrapper status --config %s\n", name, yaml)
	return ExitOK
}

// listServices finds the services that run a wrapper; one without --config
// reads the YAML beside its executable, found as the service finds it.
func listServices() ([]listedService, error) {
	found, err := scm.List()
	if err != nil {
		return nil, err
	}
	rows := make([]listedService, len(found))
	for i, s := range found {
		rows[i] = listedService{Name: s.Name, State: s.State, Config: s.Config, Program: s.Program}
		if s.Config == "" {
			rows[i].Config, _ = config.Locate(s.Program) // "" when there is none
		}
	}
	return rows, nil
}

// childAccount returns nil: the child runs as the service's account, and
// the configuration refuses user and group on Windows.
func childAccount(*config.Config) (*supervisor.Account, error) { return nil, nil }

// exitWorkBudget is the stop budget less its slack, which is kept for the
// wrapper's own exit: the SCM's wait hint and preshutdown timeout are the
// whole budget.
func exitWorkBudget(cfg *config.Config) time.Duration { return stopBudget(cfg) - stopSlack }
