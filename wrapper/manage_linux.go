package wrapper

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wrapper-dev/wrapper/config"
)

// cmdInstall writes the systemd unit from the YAML, reloads systemd and
// enables or disables the unit per service.start_mode. Running it again
// updates the unit in place.
func cmdInstall(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("install", "install [--config FILE] [--print | --unit-only] [--force]", stdout)
	path := fs.String("config", "", configFlagUsage)
	print := fs.Bool("print", false, "print the unit to stdout and change nothing (no root or systemd needed)")
	unitOnly := fs.Bool("unit-only", false, "write the unit file and the log directory but do not call systemctl (no running systemd needed, e.g. in an image build)")
	force := fs.Bool("force", false, "replace a unit file of the same name that wrapper install did not write")
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
	unit, err := unitFile(cfg, exe)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitUsage
	}
	if *print {
		fmt.Fprint(stdout, unit)
		return ExitOK
	}
	if code := requireFor("install", cfg, *unitOnly, stderr); code != ExitOK {
		return code
	}
	verb, code := writeServiceFiles(cfg, unit, *force, stderr)
	if code != ExitOK || *unitOnly {
		if code == ExitOK {
			fmt.Fprintf(stdout, "unit %s written; systemd was not asked. Once it runs: %s\n", systemd.unitPath(cfg.Name), activation(cfg))
		}
		return code
	}
	return activateUnit(cfg, verb, stdout, stderr)
}

// activation is what --unit-only leaves to do by hand.
func activation(cfg *config.Config) string {
	if cfg.Service.StartMode == config.StartAuto || cfg.Service.StartMode == config.StartDelayedAuto {
		return "systemctl daemon-reload && systemctl enable " + unitName(cfg.Name)
	}
	return "systemctl daemon-reload"
}

// writeServiceFiles checks the account, readies the log directory and
// writes the unit, unless a unit of that name exists that install did not
// write. verb says what happened to the unit: installed, updated or
// unchanged.
func writeServiceFiles(cfg *config.Config, unit string, force bool, stderr io.Writer) (verb string, code int) {
	acct, err := lookupAccount(cfg.Service)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return "", ExitUsage
	}
	old, ours, err := systemd.readUnit(cfg.Name)
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return "", ExitError
	case err == nil && !ours && !force:
		fmt.Fprintf(stderr, "wrapper install: %s exists and was not written by wrapper install: remove it, or pass --force to replace it\n",
			systemd.unitPath(cfg.Name))
		return "", ExitError
	}
	warnings, err := prepareLogDir(cfg, acct)
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
	if err := systemd.writeUnit(cfg.Name, unit); err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return "", ExitError
	}
	return verb, ExitOK
}

// activateUnit makes systemd read the unit and enables it or not per
// service.start_mode, then says what was done.
func activateUnit(cfg *config.Config, verb string, stdout, stderr io.Writer) int {
	unit := unitName(cfg.Name)
	if err := systemd.ctl(stdout, stderr, "daemon-reload"); err != nil {
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
	if err := systemd.ctl(stdout, stderr, enable, "--quiet", unit); err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitError
	}
	if verb == "updated" {
		if state := systemd.isActive(cfg.Name); state == "active" || state == "activating" {
			verb += " (it runs the old settings until: wrapper restart)"
		}
	}
	fmt.Fprintf(stdout, "service %s %s: %s, user %s, %s\n", cfg.Name, verb, systemd.unitPath(cfg.Name), cfg.Service.User, mode)
	return ExitOK
}

// requireFor checks what cmd needs: root, and unless unitOnly (no
// systemctl call is made then) a running systemd.
func requireFor(cmd string, cfg *config.Config, unitOnly bool, stderr io.Writer) int {
	if unitOnly {
		return systemd.requireRoot(cmd, stderr)
	}
	return systemd.require(cmd, cfg, stderr)
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
	unit := unitName(cfg.Name)
	if !*unitOnly {
		// disable --now stops the service too; a failed stop is reported
		// but does not keep the unit: systemd kills what is left.
		if err := systemd.ctl(stdout, stderr, "disable", "--now", "--quiet", unit); err != nil {
			fmt.Fprintf(stderr, "wrapper uninstall: warning: %v\n", err)
		}
	}
	if err := os.Remove(systemd.unitPath(cfg.Name)); err != nil {
		fmt.Fprintf(stderr, "wrapper uninstall: %v\n", err)
		return ExitError
	}
	if !*unitOnly {
		if err := systemd.ctl(stdout, stderr, "daemon-reload"); err != nil {
			fmt.Fprintf(stderr, "wrapper uninstall: warning: %v\n", err)
		}
		_ = systemd.ctl(io.Discard, io.Discard, "reset-failed", unit) // fails when it was not failed
	}
	fmt.Fprintf(stdout, "service %s uninstalled (%s removed; logs kept in %s)\n", cfg.Name, systemd.unitPath(cfg.Name), cfg.Log.Dir)
	return ExitOK
}

// checkInstalled requires the unit file install writes.
func checkInstalled(cmd string, cfg *config.Config, stderr io.Writer) int {
	_, ours, err := systemd.readUnit(cfg.Name)
	switch {
	case errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(stderr, "wrapper %s: service %s is not installed (no %s; wrapper install writes it)\n", cmd, cfg.Name, systemd.unitPath(cfg.Name))
		return ExitNotRunning
	case err != nil:
		fmt.Fprintf(stderr, "wrapper %s: %v\n", cmd, err)
		return ExitError
	case !ours && cmd == "uninstall":
		fmt.Fprintf(stderr, "wrapper uninstall: %s was not written by wrapper install: remove it yourself\n", systemd.unitPath(cfg.Name))
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
		if code := systemd.require(verb, cfg, stderr); code != ExitOK {
			return code
		}
		if code := checkInstalled(verb, cfg, stderr); code != ExitOK {
			return code
		}
		if err := systemd.ctl(stdout, stderr, verb, unitName(cfg.Name)); err != nil {
			fmt.Fprintf(stderr, "wrapper %s: %v\nSee: systemctl status %s; journalctl -u %s; %s\n",
				verb, err, cfg.Name, cfg.Name, cfg.Log.Wrapper)
			return ExitError
		}
		fmt.Fprintf(stdout, "service %s %s\n", cfg.Name, done)
		return ExitOK
	}
}
