//go:build !windows

package wrapper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/batch"
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
		{name: "list", summary: "list the systemd units wrapper install wrote, with their state and YAML (--json for scripts)", run: listCommand(listUnits)},
	}
}

// cmdInstall writes the systemd unit from the YAML, reloads systemd and
// enables or disables the unit per service.start_mode. Running it again
// updates the unit in place.
func cmdInstall(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("install", "install [--config FILE | --csv FILE] [--print | --unit-only] [--force]", stdout)
	path := fs.String("config", "", configFlagUsage)
	csvPath := fs.String("csv", "", csvFlagUsage)
	print := fs.Bool("print", false, "print the unit to stdout and change nothing (no root or systemd needed)")
	unitOnly := fs.Bool("unit-only", false, "write the unit file and the log directory but do not call systemctl (no running systemd needed, e.g. in an image build)")
	force := fs.Bool("force", false, "replace a unit file of the same name that wrapper install did not write, "+
		"and install although other accounts can change files the service trusts (warning instead)")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	switch {
	case *print && *unitOnly:
		fmt.Fprintln(stderr, "wrapper install: --print and --unit-only exclude each other")
		return ExitUsage
	case *csvPath != "" && (*path != "" || *print || *unitOnly):
		fmt.Fprintln(stderr, "wrapper install: --csv excludes --config, --print and --unit-only")
		return ExitUsage
	case *csvPath != "":
		return installCSV(*csvPath, *force, stdout, stderr)
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

// installCSV installs or updates every service of a CSV on this machine
// (docs/fleet.md, "Batch deploy"), through Manager.Apply: a row whose
// unit and enablement are already right is left alone ("unchanged").
func installCSV(path string, force bool, stdout, stderr io.Writer) int {
	if err := systemdManager.Running(); err != nil {
		fmt.Fprintf(stderr, "wrapper install: no service manager to ask: %v\n", err)
		return ExitNoServiceManager
	}
	if !systemdManager.IsRoot() {
		fmt.Fprintf(stderr, "wrapper install: must run as root (it writes %s and calls systemctl): try sudo\n", systemdManager.UnitDir)
		return ExitNotAdmin
	}
	exe, err := executable()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitError
	}
	type unit struct {
		text string
		acct systemd.Account
	}
	return installCSVRows(path, csvInstall[unit]{exe: exe, force: force,
		defaultName: func(batch.Row) string { return exeBaseName(exe) },
		prepare: func(r batch.Row, cfg *config.Config) (unit, []string, error) {
			col := batch.ColConfig
			if r.Account != "" {
				cfg.Service.User, col = r.Account, batch.ColAccount
			}
			spec := unitSpec(cfg, exe)
			text, err := spec.Render()
			if err != nil {
				return unit{}, nil, r.Problem(col, err)
			}
			acct, err := systemd.LookupAccount(cfg.Service.User, cfg.Service.Group)
			if err == nil {
				err = installableUser(cfg) // the account column may contradict user
			}
			if err != nil {
				return unit{}, nil, r.Problem(col, err)
			}
			if _, ours, err := systemdManager.ReadUnit(cfg.Name); err == nil && !ours && !force {
				return unit{}, nil, r.Problem(batch.ColName, fmt.Errorf("%s exists and was not written by wrapper install: "+
					"remove it, or pass --force to replace it", systemdManager.UnitPath(cfg.Name)))
			}
			return unit{text, acct}, spec.Warnings(exec.LookPath), nil
		},
		apply: func(cfg *config.Config, u unit) (batch.Outcome, error) {
			return applyUnit(cfg, u.text, u.acct, stderr)
		},
	}, stdout, stderr)
}

// applyUnit readies the log directory and applies the unit (Manager.Apply,
// which puts the old unit back when a step fails); a log directory it made
// for a row that failed is removed again when still empty.
func applyUnit(cfg *config.Config, text string, acct systemd.Account, stderr io.Writer) (batch.Outcome, error) {
	_, statErr := os.Stat(cfg.Log.Dir)
	made := errors.Is(statErr, os.ErrNotExist)
	old, _, _ := systemdManager.ReadUnit(cfg.Name)
	warnings, err := systemd.PrepareLogDir(cfg.Log.Dir, wrapperFiles(cfg), acct)
	if err == nil {
		for _, w := range warnings {
			fmt.Fprintf(stderr, "wrapper install: %s: warning: %s\n", cfg.Name, w)
		}
		mode := cfg.Service.StartMode
		var verb string
		verb, err = systemdManager.Apply(cfg.Name, text, mode == config.StartAuto || mode == config.StartDelayedAuto, stderr, stderr)
		if err == nil {
			if verb == "updated" && old != text && runsNow(cfg.Name) {
				fmt.Fprintf(stderr, "wrapper install: %s: it runs the old settings until: wrapper restart\n", cfg.Name)
			}
			return batch.Outcome(verb), nil
		}
	}
	if made {
		_ = os.Remove(cfg.Log.Dir) // fails, as it should, once it holds anything
	}
	return batch.Failed, err
}

// checkTrust refuses, like sshd's StrictModes, to install a service whose
// files another account can change (trustFindings). With force it warns
// instead.
func checkTrust(cfg *config.Config, exe string, force bool, stderr io.Writer) int {
	return reportTrust(trustFindings(cfg, exe), force, "other accounts",
		"Make each owned by root and writable by its owner only (chown root: PATH; chmod go-w PATH), "+
			"or pass --force to install anyway.", stderr)
}

// trustFindings lists who else can change the files the service trusts:
// the wrapper, the YAML, the env_file, the programs it runs and the
// directories above them. Root and the installing user are trusted: the
// effective user and the one sudo ran for (SUDO_UID, which only root can
// have set for a root process).
func trustFindings(cfg *config.Config, exe string) []string {
	uids := []int{os.Geteuid()}
	if id, err := strconv.Atoi(os.Getenv("SUDO_UID")); err == nil {
		uids = append(uids, id)
	}
	trust := systemd.NewTrust(uids...)
	var found []string
	for _, path := range append([]string{exe}, cfg.ServiceFiles()...) {
		f, err := trust.Check(path)
		if err != nil {
			f = append(f, err.Error())
		}
		found = append(found, f...)
	}
	return found
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
	if err == nil {
		err = installableUser(cfg)
	}
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
	if verb == "updated" && runsNow(cfg.Name) {
		verb += " (it runs the old settings until: wrapper restart)"
	}
	fmt.Fprintf(stdout, "service %s %s: %s, user %s, %s\n", cfg.Name, verb, systemdManager.UnitPath(cfg.Name), cfg.Service.User, mode)
	return ExitOK
}

// runsNow reports whether systemd runs the service (or is starting it).
func runsNow(name string) bool {
	state := systemdManager.IsActive(name)
	return state == "active" || state == "activating"
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
