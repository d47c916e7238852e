//go:build !windows

package wrapper

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/systemd"
)

// systemdManager is where the service commands find systemd; tests point
// it at a fake.
var systemdManager = systemd.System()

// platformCommands returns the systemd service-management commands. They
// exist on every Unix and answer ExitNoServiceManager where systemd does
// not run.
func platformCommands() []command {
	return []command{
		{name: "install", summary: "write the systemd unit from the YAML and enable it per start_mode (idempotent)", run: cmdInstall},
		{name: "uninstall", summary: "stop and disable the systemd service and remove its unit", run: cmdUninstall},
		{name: "start", summary: "start the systemd service and wait until it is ready", run: systemctlCommand("start", "started")},
		{name: "stop", summary: "stop the systemd service and wait until it stopped", run: systemctlCommand("stop", "stopped")},
		{name: "restart", summary: "restart the systemd service (starts it when stopped)", run: systemctlCommand("restart", "restarted")},
	}
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
		StopTimeout: stopBudget(cfg), Recovery: cfg.Service.Recovery,
		NoRestartCodes:   noRestartCodes(),
		RuntimeDirectory: control.RuntimeDirectory(cfg.Name),
	}
}

// stopBudget is how long a stop on request may take before the wrapper
// exits, as far as the YAML says: the pre_stop hook, then stop.timeout
// for the child, then the post_stop hook (the supervisor runs both hooks
// within a stop). It saturates instead of overflowing; the unit writer
// refuses a budget that large.
func stopBudget(cfg *config.Config) time.Duration {
	budget := cfg.Stop.Timeout
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

// unitFile is the unit `wrapper install` writes for cfg.
func unitFile(cfg *config.Config, exe string) (string, error) {
	return unitSpec(cfg, exe).Render()
}

// cmdInstall writes the systemd unit from the YAML, reloads systemd and
// enables or disables the unit per service.start_mode. Running it again
// updates the unit in place.
func cmdInstall(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("install", "install [--config FILE] [--print | --unit-only] [--force]", stdout)
	path := fs.String("config", "", configFlagUsage)
	print := fs.Bool("print", false, "print the unit to stdout and change nothing (no root or systemd needed)")
	unitOnly := fs.Bool("unit-only", false, "write the unit file and the log directory but do not call systemctl (no running systemd needed, e.g. in an image build)")
	force := fs.Bool("force", false, "replace a unit file of the same name that wrapper install did not write, "+
		"and install although other accounts can change files the service trusts (warning instead)")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	if *print && *unitOnly {
		fmt.Fprintln(stderr, "wrapper install: --print and --unit-only exclude each other")
		return ExitUsage
	}
	cfg, code := loadConfig(*path, stderr)
	if cfg == nil {
		return code
	}
	exe, err := executable()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitError
	}
	spec := unitSpec(cfg, exe)
	unit, err := spec.Render()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitUsage
	}
	for _, w := range spec.Warnings(exec.LookPath) {
		fmt.Fprintf(stderr, "wrapper install: warning: %s\n", w)
	}
	if *print {
		fmt.Fprint(stdout, unit)
		return ExitOK
	}
	if code := requireFor("install", cfg, *unitOnly, stderr); code != ExitOK {
		return code
	}
	if code := checkTrust(cfg, exe, *force, stderr); code != ExitOK {
		return code
	}
	verb, code := writeServiceFiles(cfg, unit, *force, stderr)
	if code != ExitOK || *unitOnly {
		if code == ExitOK {
			fmt.Fprintf(stdout, "unit %s written; systemd was not asked. Once it runs: %s\n", systemdManager.UnitPath(cfg.Name), activation(cfg))
		}
		return code
	}
	return activateUnit(cfg, verb, stdout, stderr)
}

// checkTrust refuses, like sshd's StrictModes, to install a service whose
// files another account can change: the wrapper, the YAML, the env_file,
// the programs it runs and the directories above them. Root and the
// installing user are trusted: the effective user and the one sudo ran
// for (SUDO_UID, which only root can have set for a root process). With
// force it warns instead.
func checkTrust(cfg *config.Config, exe string, force bool, stderr io.Writer) int {
	uids := []int{os.Geteuid()}
	if id, err := strconv.Atoi(os.Getenv("SUDO_UID")); err == nil {
		uids = append(uids, id)
	}
	trust := systemd.NewTrust(uids...)
	return refuseUntrusted(trust, cfg, exe, force, "other accounts",
		"Make each owned by root and writable by its owner only (chown root: PATH; chmod go-w PATH), "+
			"or pass --force to install anyway.", stderr)
}

// activation is what --unit-only leaves to do by hand.
func activation(cfg *config.Config) string {
	if cfg.Service.StartMode == config.StartAuto || cfg.Service.StartMode == config.StartDelayedAuto {
		return "systemctl daemon-reload && systemctl enable " + systemd.UnitName(cfg.Name)
	}
	return "systemctl daemon-reload"
}

// writeServiceFiles checks the account, readies the log directory and
// writes the unit, unless a unit of that name exists that install did not
// write. verb says what happened to the unit: installed, updated or
// unchanged.
func writeServiceFiles(cfg *config.Config, unit string, force bool, stderr io.Writer) (verb string, code int) {
	acct, err := systemd.LookupAccount(cfg.Service.User, cfg.Service.Group)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return "", ExitUsage
	}
	old, ours, err := systemdManager.ReadUnit(cfg.Name)
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return "", ExitError
	case err == nil && !ours && !force:
		fmt.Fprintf(stderr, "wrapper install: %s exists and was not written by wrapper install: remove it, or pass --force to replace it\n",
			systemdManager.UnitPath(cfg.Name))
		return "", ExitError
	}
	warnings, err := systemd.PrepareLogDir(cfg.Log.Dir, wrapperFiles(cfg), acct)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return "", ExitError
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "wrapper install: warning: %s\n", w)
	}
	switch {
	case old == unit:
		return "unchanged", ExitOK
	case old != "":
		verb = "updated"
	default:
		verb = "installed"
	}
	if err := systemdManager.WriteUnit(cfg.Name, unit); err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return "", ExitError
	}
	return verb, ExitOK
}

// activateUnit makes systemd read the unit and enables it or not per
// service.start_mode, then says what was done.
func activateUnit(cfg *config.Config, verb string, stdout, stderr io.Writer) int {
	unit := systemd.UnitName(cfg.Name)
	if err := systemdManager.Ctl(stdout, stderr, "daemon-reload"); err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitError
	}
	enable, mode := "disable", "not enabled: start it with wrapper start"
	switch cfg.Service.StartMode {
	case config.StartAuto:
		enable, mode = "enable", "enabled at boot"
	case config.StartDelayedAuto:
		enable, mode = "enable", "enabled at boot (delayed-auto is Windows': systemd starts it like auto)"
	case config.StartDisabled:
		mode = "disabled: not enabled, and systemctl start is refused"
	}
	if err := systemdManager.Ctl(stdout, stderr, enable, "--quiet", unit); err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitError
	}
	if verb == "updated" {
		if state := systemdManager.IsActive(cfg.Name); state == "active" || state == "activating" {
			verb += " (it runs the old settings until: wrapper restart)"
		}
	}
	fmt.Fprintf(stdout, "service %s %s: %s, user %s, %s\n", cfg.Name, verb, systemdManager.UnitPath(cfg.Name), cfg.Service.User, mode)
	return ExitOK
}

// requireFor checks what cmd needs: root, and unless unitOnly (no
// systemctl call is made then) a running systemd. It prints why not and
// returns the exit code, or ExitOK.
func requireFor(cmd string, cfg *config.Config, unitOnly bool, stderr io.Writer) int {
	if !unitOnly {
		if err := systemdManager.Running(); err != nil {
			fmt.Fprintf(stderr, "wrapper %s: no service manager to ask: %v.\n"+
				"Run the wrapper in the foreground instead: wrapper run --config %s\n", cmd, err, cfg.File)
			if cmd == "install" || cmd == "uninstall" {
				fmt.Fprintf(stderr, "To write or remove only the unit file (for example while building an image), "+
					"pass --unit-only; to see the unit, wrapper install --print.\n")
			}
			return ExitNoServiceManager
		}
	}
	if !systemdManager.IsRoot() {
		fmt.Fprintf(stderr, "wrapper %s: must run as root (it writes %s and calls systemctl): try sudo\n", cmd, systemdManager.UnitDir)
		return ExitNotAdmin
	}
	return ExitOK
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

// cmdUninstall stops and disables the service, removes its unit and
// reloads systemd. The log directory and its files stay.
func cmdUninstall(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("uninstall", "uninstall [--config FILE] [--unit-only]", stdout)
	path := fs.String("config", "", configFlagUsage)
	unitOnly := fs.Bool("unit-only", false, "remove the unit file but do not call systemctl (no running systemd needed)")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	cfg, code := loadConfig(*path, stderr)
	if cfg == nil {
		return code
	}
	if code := requireFor("uninstall", cfg, *unitOnly, stderr); code != ExitOK {
		return code
	}
	if code := checkInstalled("uninstall", cfg, stderr); code != ExitOK {
		return code
	}
	unit := systemd.UnitName(cfg.Name)
	if !*unitOnly {
		// disable --now stops the service too; a failed stop is reported
		// but does not keep the unit: systemd kills what is left.
		if err := systemdManager.Ctl(stdout, stderr, "disable", "--now", "--quiet", unit); err != nil {
			fmt.Fprintf(stderr, "wrapper uninstall: warning: %v\n", err)
		}
	}
	if err := os.Remove(systemdManager.UnitPath(cfg.Name)); err != nil {
		fmt.Fprintf(stderr, "wrapper uninstall: %v\n", err)
		return ExitError
	}
	if !*unitOnly {
		if err := systemdManager.Ctl(stdout, stderr, "daemon-reload"); err != nil {
			fmt.Fprintf(stderr, "wrapper uninstall: warning: %v\n", err)
		}
		_ = systemdManager.Ctl(io.Discard, io.Discard, "reset-failed", unit) // fails when it was not failed
	}
	fmt.Fprintf(stdout, "service %s uninstalled (%s removed; logs kept in %s)\n", cfg.Name, systemdManager.UnitPath(cfg.Name), cfg.Log.Dir)
	return ExitOK
}

// checkInstalled requires the unit file install writes.
func checkInstalled(cmd string, cfg *config.Config, stderr io.Writer) int {
	_, ours, err := systemdManager.ReadUnit(cfg.Name)
	switch {
	case errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(stderr, "wrapper %s: service %s is not installed (no %s; wrapper install writes it)\n", cmd, cfg.Name, systemdManager.UnitPath(cfg.Name))
		return ExitNotRunning
	case err != nil:
		fmt.Fprintf(stderr, "wrapper %s: %v\n", cmd, err)
		return ExitError
	case !ours && cmd == "uninstall":
		fmt.Fprintf(stderr, "wrapper uninstall: %s was not written by wrapper install: remove it yourself\n", systemdManager.UnitPath(cfg.Name))
		return ExitError
	}
	return ExitOK
}

// systemctlCommand returns a command that runs `systemctl VERB` on the
// service and waits: with Type=notify, start returns once the wrapper
// reports READY=1, stop once it has exited.
func systemctlCommand(verb, done string) func(args []string, stdout, stderr io.Writer) int {
	return func(args []string, stdout, stderr io.Writer) int {
		cfg, _, code := manageFlags(verb, args, stdout, stderr)
		if cfg == nil {
			return code
		}
		if code := requireFor(verb, cfg, false, stderr); code != ExitOK {
			return code
		}
		if code := checkInstalled(verb, cfg, stderr); code != ExitOK {
			return code
		}
		if err := systemdManager.Ctl(stdout, stderr, verb, systemd.UnitName(cfg.Name)); err != nil {
			fmt.Fprintf(stderr, "wrapper %s: %v\nSee: systemctl status %s; journalctl -u %s; %s\n",
				verb, err, cfg.Name, cfg.Name, cfg.Log.Wrapper)
			return ExitError
		}
		fmt.Fprintf(stdout, "service %s %s\n", cfg.Name, done)
		return ExitOK
	}
}
