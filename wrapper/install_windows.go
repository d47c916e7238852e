package wrapper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/batch"
	"github.com/wrapper-dev/wrapper/internal/scm"
)

// platformCommands returns the Windows service-management commands.
func platformCommands() []command {
	return []command{
		{name: "install", summary: "create the Windows service from the YAML, or update it (idempotent)", run: cmdInstall},
		{name: "uninstall", summary: "stop and delete the Windows service", run: cmdUninstall},
		{name: "start", summary: "start the Windows service and wait until it runs", run: scmCommand("start", "running", scm.Start)},
		{name: "stop", summary: "stop the Windows service and wait until it stopped", run: scmCommand("stop", "stopped", scm.Stop)},
		{name: "restart", summary: "stop, then start the Windows service", run: scmCommand("restart", "restarted", scm.Restart)},
		{name: "list", summary: "list the Windows services that run a wrapper, with their state and YAML (--json for scripts)", run: listCommand(listServices)},
	}
}

// scmService translates the configuration into the SCM's terms. binArgs
// are the binary path's arguments (nil: the YAML beside the executable).
func scmService(cfg *config.Config, exe string, binArgs []string) scm.Service {
	return scm.Service{
		Name: cfg.Name, DisplayName: cfg.DisplayName, Description: cfg.Description,
		StartMode: string(cfg.Service.StartMode), Dependencies: cfg.Service.Dependencies,
		Account: cfg.Service.Account, Recovery: recoveryActions(cfg.Service.Recovery), RecoveryReset: cfg.Service.RecoveryReset,
		SIDType: cfg.Service.SIDType, Privileges: cfg.Service.Privileges,
		LogDir: cfg.Log.Dir, Exe: exe, Args: binArgs,
		// Windows waits 10 s by default after PreShutdown, less than a
		// wrapper's default stop: it would kill the wrapper mid-stop.
		PreshutdownTimeout: stopBudget(cfg),
	}
}

// recoveryActions translates service.recovery into the SCM's terms.
func recoveryActions(in []config.RecoveryAction) []scm.RecoveryAction {
	out := make([]scm.RecoveryAction, len(in))
	for i, a := range in {
		out[i] = scm.RecoveryAction{Kind: a.Action, Delay: a.Delay, Command: a.Command, Message: a.Message}
	}
	return out
}

// adminOr reports err for what, with the exit code it deserves.
func adminOr(stderr io.Writer, what string, err error) int {
	switch {
	case errors.Is(err, windows.ERROR_ACCESS_DENIED):
		fmt.Fprintf(stderr, "wrapper %s: access denied: run it from an elevated (administrator) prompt\n", what)
		return ExitNotAdmin
	case errors.Is(err, scm.ErrNotInstalled):
		fmt.Fprintf(stderr, "wrapper %s: %v (wrapper install)\n", what, err)
		return ExitNotRunning
	}
	fmt.Fprintf(stderr, "wrapper %s: %v\n", what, err)
	return ExitError
}

// cmdInstall creates the service, or updates an existing one; with --csv,
// every service of a CSV (installCSV). A user account's password comes
// from the environment variable named by service.password_env, else from
// a prompt; it is never stored in the YAML.
func cmdInstall(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("install", "install [--config FILE | --csv FILE] [--force]", stdout)
	path := fs.String("config", "", configFlagUsage)
	csvPath := fs.String("csv", "", csvFlagUsage)
	force := fs.Bool("force", false, "take over a service of that name that does not run a wrapper, "+
		"and install although other accounts can change files the service trusts (warning instead)")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	switch {
	case *csvPath != "" && *path != "":
		fmt.Fprintln(stderr, "wrapper install: --csv excludes --config")
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
		return adminOr(stderr, "install", err)
	}
	var binArgs []string
	if *path != "" { // the default location needs no argument
		binArgs = []string{"--config", cfg.File}
	}
	if code := checkTrust(cfg, exe, *force, stderr); code != ExitOK {
		return code
	}
	s := scmService(cfg, exe, binArgs)
	if s.Password, err = servicePassword(s, cfg.Service.PasswordEnv, stderr); err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitUsage
	}
	created, err := scm.Install(s, *force, func(w string) { fmt.Fprintf(stderr, "wrapper install: warning: %s\n", w) })
	if foreign := (*scm.ForeignError)(nil); errors.As(err, &foreign) {
		fmt.Fprintf(stderr, "wrapper install: %v: refusing to change it (pass --force to take it over)\n", err)
		return ExitError
	}
	if err != nil {
		return adminOr(stderr, "install", err)
	}
	verb := "updated"
	if created {
		verb = "installed"
	}
	startName, _ := s.StartName()
	fmt.Fprintf(stdout, "service %s %s (account %s, start %s); start it with: wrapper start, or sc start %s\n",
		cfg.Name, verb, scm.AccountLabel(startName), cfg.Service.StartMode, cfg.Name)
	return ExitOK
}

// checkTrust refuses to install a service whose files an account other
// than the administrators can change (trustFindings). With force it warns
// instead.
func checkTrust(cfg *config.Config, exe string, force bool, stderr io.Writer) int {
	return reportTrust(trustFindings(cfg, exe), force, "accounts other than the administrators",
		`Keep the files in a folder only administrators can change (C:\Program Files, or remove the inherited `+
			`rights: icacls FOLDER /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX), `+
			`or pass --force to install anyway.`, stderr)
}

// trustFindings lists who else can change the files the service trusts:
// the wrapper, the YAML, the env_file, the programs it runs, the folders
// that hold them and those above.
func trustFindings(cfg *config.Config, exe string) []string {
	trust, err := scm.NewTrust()
	if err != nil {
		return []string{err.Error()}
	}
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

// scmInstall is scm.Install; a test makes it fail after the SCM created
// the service, to see install --csv take the service away again.
var scmInstall = scm.Install

// csvService is a checked row of install --csv: the service, and whether
// and how the installed one differs.
type csvService struct {
	s         scm.Service
	installed bool
	changes   []string
}

// installCSV installs or updates every service of a CSV on this machine
// (docs/fleet.md, "Batch deploy"). A row whose service the SCM already
// holds as the row says (scm.Changes) is left alone ("unchanged"); a row
// whose creation fails has its service deleted again.
func installCSV(path string, force bool, stdout, stderr io.Writer) int {
	exe, err := executable()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitError
	}
	warn := func(name string) func(string) {
		return func(w string) { fmt.Fprintf(stderr, "wrapper install: %s: warning: %s\n", name, w) }
	}
	return installCSVRows(path, csvInstall[csvService]{exe: exe, force: force,
		// The SCM hands the service its name, which a YAML without name:
		// takes (loadServiceConfig).
		defaultName: func(r batch.Row) string { return r.Name },
		prepare: func(r batch.Row, cfg *config.Config) (csvService, []string, error) {
			p, err := checkService(r, cfg, exe, force)
			return p, nil, err
		},
		apply: func(cfg *config.Config, p csvService) (batch.Outcome, error) {
			if p.installed && len(p.changes) == 0 {
				return batch.Unchanged, nil
			}
			if p.installed {
				fmt.Fprintf(stderr, "wrapper install: %s: differs: %s\n", cfg.Name, strings.Join(p.changes, "; "))
			}
			created, err := scmInstall(p.s, force, warn(cfg.Name))
			if err != nil {
				if !p.installed && scm.State(cfg.Name) != "not installed" {
					if uerr := scm.Uninstall(cfg.Name, false, warn(cfg.Name)); uerr != nil {
						err = fmt.Errorf("%w; deleting the half-made service failed too: %v", err, uerr)
					}
				}
				return batch.Failed, err
			}
			if created {
				return batch.Installed, nil
			}
			return batch.Updated, nil
		},
	}, stdout, stderr)
}

// checkService applies the row's account and checks, changing nothing,
// what the SCM needs: a password for a user account (from
// service.password_env: install --csv never prompts), and a service of
// that name that is absent or runs a wrapper (or force).
func checkService(r batch.Row, cfg *config.Config, exe string, force bool) (csvService, error) {
	col := batch.ColConfig
	if r.Account != "" {
		cfg.Service.Account, col = r.Account, batch.ColAccount
	}
	s := scmService(cfg, exe, []string{"--config", cfg.File})
	if name, needs := s.StartName(); needs {
		env := cfg.Service.PasswordEnv
		pw, ok := os.LookupEnv(env)
		if env == "" || !ok {
			return csvService{}, r.Problem(col, fmt.Errorf("%s needs a password: set service.password_env in the YAML "+
				"and that variable (install --csv never prompts)", name))
		}
		s.Password = pw
	}
	installed, changes, err := scm.Changes(s, force)
	var foreign *scm.ForeignError
	switch {
	case errors.As(err, &foreign):
		return csvService{}, r.Problem(batch.ColName, fmt.Errorf("%w: refusing to change it (pass --force to take it over)", err))
	case errors.Is(err, windows.ERROR_ACCESS_DENIED):
		return csvService{}, r.Problem("", fmt.Errorf("%w (%v)", errNotAdmin, err))
	case err != nil:
		return csvService{}, r.Problem("", err)
	}
	return csvService{s, installed, changes}, nil
}

// forceFlags parses [--config FILE] [--force] for uninstall and loads
// the configuration; forceUsage says what --force allows.
func forceFlags(name, forceUsage string, args []string, stdout, stderr io.Writer) (*config.Config, string, bool, int) {
	fs := newFlagSet(name, name+" [--config FILE] [--force]", stdout)
	path := fs.String("config", "", configFlagUsage)
	force := fs.Bool("force", false, forceUsage)
	if code, done := parseFlags(fs, args, stderr); done {
		return nil, "", false, code
	}
	cfg, code := loadConfig(*path, stderr)
	return cfg, *path, *force, code
}

// servicePassword returns the password a user account needs: from the
// variable named by passwordEnv, else from a console prompt; "" for the
// built-in and virtual accounts.
func servicePassword(s scm.Service, passwordEnv string, stderr io.Writer) (string, error) {
	name, needsPassword := s.StartName()
	if !needsPassword {
		return "", nil
	}
	if passwordEnv != "" {
		pw, ok := os.LookupEnv(passwordEnv)
		if !ok {
			return "", fmt.Errorf("service.password_env: environment variable %s is not set", passwordEnv)
		}
		return pw, nil
	}
	pw, err := scm.PromptPassword(os.Stdin, stderr, name)
	if err != nil {
		return "", fmt.Errorf("password for %s: %w (or set service.password_env)", name, err)
	}
	return pw, nil
}

// cmdUninstall stops the service if it runs, then deletes it and its Event
// Log source. The logs stay.
func cmdUninstall(args []string, stdout, stderr io.Writer) int {
	cfg, _, force, code := forceFlags("uninstall", "delete a service of that name that does not run a wrapper", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	err := scm.Uninstall(cfg.Name, force, func(w string) { fmt.Fprintf(stderr, "wrapper uninstall: warning: %s\n", w) })
	if foreign := (*scm.ForeignError)(nil); errors.As(err, &foreign) {
		fmt.Fprintf(stderr, "wrapper uninstall: %v: refusing to delete it (pass --force to delete it anyway)\n", err)
		return ExitError
	}
	if err != nil {
		return adminOr(stderr, "uninstall", err)
	}
	fmt.Fprintf(stdout, "service %s uninstalled\n", cfg.Name)
	return ExitOK
}

// scmCommand returns a command that runs op on the service and says done.
func scmCommand(what, done string, op func(name string) error) func(args []string, stdout, stderr io.Writer) int {
	return func(args []string, stdout, stderr io.Writer) int {
		cfg, _, code := manageFlags(what, args, stdout, stderr)
		if cfg == nil {
			return code
		}
		if err := op(cfg.Name); err != nil {
			return adminOr(stderr, what, err)
		}
		fmt.Fprintf(stdout, "service %s %s\n", cfg.Name, done)
		return ExitOK
	}
}
