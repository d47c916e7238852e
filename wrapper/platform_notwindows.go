//go:build !windows

package wrapper

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/systemd"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// serviceStateLabel names the service manager's state in `wrapper status`
// (the output of systemctl is-active).
const serviceStateLabel = "systemd"

// serviceEntry reports whether this process was started by a service manager
// that needs a special entry point. systemd needs none: the unit runs
// `wrapper run`, which stops on SIGTERM and reports to $NOTIFY_SOCKET.
func serviceEntry([]string, io.Writer) (bool, int) { return false, 0 }

// serviceState returns systemd's view of the service.
func serviceState(name string) string { return systemdManager.State(name) }

// serviceRunning is the check of a wait_for service condition: nil when
// systemd reports unit name active; an error wrapping
// errors.ErrUnsupported where systemd does not run, which ends the wait at
// once (a fatal start failure).
func serviceRunning(ctx context.Context, name string) error { return systemdManager.Active(ctx, name) }

// wrapperExpect names systemd's main process of the service's unit, when
// it runs one, as the only process that may serve the control socket.
func wrapperExpect(name string) control.Expect {
	return control.Expect{PID: systemdManager.MainPID(name), Manager: "systemd (" + systemd.UnitName(name) + ")"}
}

// serviceDrift lists the installed unit's directives that differ from what
// `wrapper install` would write now.
func serviceDrift(cfg *config.Config) []string {
	exe, err := executable()
	if err != nil {
		return nil
	}
	want, err := unitFile(cfg, exe)
	if err != nil {
		if _, _, rerr := systemdManager.ReadUnit(cfg.Name); rerr != nil {
			return nil // nothing installed: nothing differs
		}
		return []string{"the YAML cannot be installed: " + err.Error()}
	}
	return systemdManager.Drift(cfg.Name, want)
}

// reloadOnSignal reloads the configuration on SIGHUP, the Unix convention
// (`systemctl reload`, `kill -HUP`), until ctx ends or the returned stop is
// called.
func (h *host) reloadOnSignal(ctx context.Context) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				_, _ = h.reload() // the outcome is logged
			case <-ctx.Done():
				return
			case <-done:
				return
			}
		}
	}()
	return func() {
		// Ignore rather than restore the default (terminate): a reload sent
		// while the wrapper finishes must not kill it before its last
		// status and log records.
		signal.Ignore(syscall.SIGHUP)
		signal.Stop(hup)
		close(done)
	}
}

// notifyServiceManager wraps onStatus so that every state change also
// reaches systemd when it runs the wrapper as a Type=notify service
// ($NOTIFY_SOCKET set): READY=1 once the child runs (healthy, with a health
// check), STATUS= on each change, and STOPPING=1 when ctx ends, which is
// how `wrapper run` learns of systemd's SIGTERM. Without $NOTIFY_SOCKET it
// returns onStatus as it is. Call stop when the host ends.
func notifyServiceManager(ctx context.Context, onStatus func(supervisor.Status), logger *slog.Logger) (wrapped func(supervisor.Status), stop func()) {
	n := systemd.NewNotifier(logger)
	if n == nil {
		return onStatus, func() {}
	}
	cancel := context.AfterFunc(ctx, n.Stopping)
	wrapped = func(st supervisor.Status) {
		onStatus(st)
		n.Update(serviceReady(st), statusText(st))
	}
	return wrapped, func() { cancel() }
}

// replaceService needs the Windows SCM (wrapper import --replace).
func replaceService(_, _, _ string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "wrapper import: --replace needs Windows")
	return ExitUsage
}

// unitSpec translates the configuration into the unit's terms.
func unitSpec(cfg *config.Config, exe string) systemd.Unit {
	return systemd.Unit{
		Name: cfg.Name, DisplayName: cfg.DisplayName, Description: cfg.Description,
		Wrapper: exe, Config: cfg.File, Executable: cfg.Executable, WorkingDir: cfg.WorkingDirectory,
		LogDir: cfg.Log.Dir, EnvFile: cfg.EnvFile,
		User: cfg.Service.User, Group: cfg.Service.Group,
		Capabilities: cfg.Service.Capabilities, Dependencies: cfg.Service.Dependencies,
		Disabled:   cfg.Service.StartMode == config.StartDisabled,
		SandboxOff: cfg.Service.Sandbox.Off, UMask: cfg.Service.Sandbox.UMask,
		StopTimeout: stopBudget(cfg), Recovery: cfg.Service.RecoveryDelays(),
		NoRestartCodes:   noRestartCodes(),
		RuntimeDirectory: control.RuntimeDirectory(cfg.Name),
	}
}

// stopBudget is how long a stop on request may take before the wrapper
// exits, as far as the YAML says: the pre_stop hook, then stop.timeout
// (or the stop steps' timeouts) for the child, then the post_stop hook
// (the supervisor runs both hooks within a stop). It saturates instead of
// overflowing; the unit writer refuses a budget that large.
func stopBudget(cfg *config.Config) time.Duration {
	budget := cfg.Stop.Timeout
	if len(cfg.Stop.Steps) > 0 {
		budget = cfg.Stop.StepsTimeout()
	}
	for _, h := range []config.Hook{cfg.Hooks.PreStop, cfg.Hooks.PostStop} {
		if h.Command == nil {
			continue
		}
		if h.Timeout > math.MaxInt64-budget {
			return math.MaxInt64
		}
		budget += h.Timeout
	}
	return budget
}

// exitWorkBudget is the stop budget: systemd's TimeoutStopSec= adds
// StopSlack to it for the wrapper's own exit.
func exitWorkBudget(cfg *config.Config) time.Duration { return stopBudget(cfg) }

// unitFile is the unit `wrapper install` writes for cfg.
func unitFile(cfg *config.Config, exe string) (string, error) {
	return unitSpec(cfg, exe).Render()
}

// wrapperFiles lists, as glob patterns, the files the wrapper writes for
// cfg: the three logs with their rotated copies and the status file.
func wrapperFiles(cfg *config.Config) []string {
	var files []string
	for _, log := range []string{cfg.Log.Stdout, cfg.Log.Stderr, cfg.Log.Wrapper} {
		ext := filepath.Ext(log)
		files = append(files, systemd.EscapeGlob(log),
			systemd.EscapeGlob(strings.TrimSuffix(log, ext))+"-*"+systemd.EscapeGlob(ext)+"*")
	}
	return append(files, systemd.EscapeGlob(statusPath(cfg)))
}

// listUnits finds the units `wrapper install` wrote, with systemd's state
// of each (which says so when systemd does not run).
func listUnits() ([]listedService, error) {
	units, err := systemdManager.InstalledUnits()
	if err != nil {
		return nil, err
	}
	rows := make([]listedService, len(units))
	for i, u := range units {
		rows[i] = listedService{Name: u.Name, State: systemdManager.State(u.Name), Config: u.Config}
	}
	return rows, nil
}

// childAccount resolves the YAML's user and group on this machine into
// the account the child runs as, with HOME, USER and LOGNAME of the
// account for its environment where the YAML's env and env_file set none.
// It returns nil without user, and when the wrapper already runs as that
// user and group (under a unit whose service.user is the same), which
// needs no switch. Any other switch needs root: the error says so.
func childAccount(cfg *config.Config) (*supervisor.Account, error) {
	if cfg.User == "" {
		return nil, nil
	}
	a, err := systemd.LookupUser(cfg.User, cfg.Group)
	if err != nil {
		return nil, err
	}
	if a.UID == os.Geteuid() && a.GID == os.Getegid() {
		return nil, nil
	}
	if uid := os.Geteuid(); uid != 0 {
		who := fmt.Sprintf("uid %d", uid)
		if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
			who = fmt.Sprintf("%s (uid %d)", u.Username, uid)
		}
		return nil, fmt.Errorf("user: the wrapper runs as %s, not as root, and cannot run the program as %s: "+
			"start it as root (sudo wrapper run; under systemd, service.user: root), or remove user", who, cfg.User)
	}
	acct := &supervisor.Account{UID: uint32(a.UID), GID: uint32(a.GID)}
	for _, g := range a.Groups {
		acct.Groups = append(acct.Groups, uint32(g))
	}
	for _, kv := range []string{"HOME=" + a.Home, "USER=" + a.User, "LOGNAME=" + a.User} {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(cfg.Env, func(e string) bool { return strings.HasPrefix(e, name+"=") }) {
			acct.Env = append(acct.Env, kv)
		}
	}
	return acct, nil
}

// installableUser checks the YAML's user for install: consistent with
// service.user as it now is (an install --csv row may have replaced it),
// and an account this machine has, which the service would otherwise fail
// on at every start.
func installableUser(cfg *config.Config) error {
	if cfg.User == "" {
		return nil
	}
	if err := cfg.CheckUser(); err != nil {
		return err
	}
	_, err := systemd.LookupUser(cfg.User, cfg.Group)
	return err
}
