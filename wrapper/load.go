package wrapper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/batch"
)

// Environment variables the wrapper gives its child, and which the YAML may
// use in ${VAR} expansion.
const (
	envServiceName = "WRAPPER_SERVICE_NAME" // the service name
	envConfig      = "WRAPPER_CONFIG"       // absolute path of the YAML file
	envExe         = "WRAPPER_EXE"          // absolute path of the wrapper executable
	// envNotifySocket is systemd's channel to the wrapper (sd_notify(3)),
	// never the child's: a child that inherited it could report readiness
	// in the wrapper's place.
	envNotifySocket = "NOTIFY_SOCKET"
)

// executable returns the wrapper's own absolute path, with symlinks resolved
// so that a config beside the real binary is found.
func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own executable: %w", err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return exe, nil
}

// exeBaseName returns the executable's file name without extension: the
// default service name.
func exeBaseName(exe string) string {
	base := filepath.Base(exe)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// loadConfig finds (when path is empty) and loads the configuration. On
// failure it prints every problem to stderr and returns the exit code.
func loadConfig(path string, stderr io.Writer) (*config.Config, int) {
	exe, err := executable()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper: %v\n", err)
		return nil, ExitError
	}
	if path == "" {
		path, err = config.Locate(exe)
		if err != nil {
			fmt.Fprintf(stderr, "wrapper: %v\nPass --config FILE, or put the YAML beside the executable.\n", err)
			return nil, ExitUsage
		}
	}
	cfg, err := config.Load(path, configOptions(exe))
	if err != nil {
		reportConfigError(stderr, err)
		return nil, ExitUsage
	}
	return cfg, ExitOK
}

// loadForControl loads the configuration for a command that talks to the
// running wrapper (status, restart-child, rotate, reload). When the YAML
// no longer loads it prints the problems as a warning and still returns
// the service name read from it: the running wrapper keeps the
// configuration it started with, and its control endpoint depends on the
// name alone. cfg is nil then.
func loadForControl(path string, stderr io.Writer) (cfg *config.Config, name string, code int) {
	exe, err := executable()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper: %v\n", err)
		return nil, "", ExitError
	}
	if path == "" {
		if path, err = config.Locate(exe); err != nil {
			fmt.Fprintf(stderr, "wrapper: %v\nPass --config FILE, or put the YAML beside the executable.\n", err)
			return nil, "", ExitUsage
		}
	}
	cfg, err = config.Load(path, configOptions(exe))
	if err == nil {
		return cfg, cfg.Name, ExitOK
	}
	reportConfigError(stderr, err)
	name, nerr := config.Name(path, configOptions(exe))
	if nerr != nil {
		return nil, "", ExitUsage
	}
	fmt.Fprintf(stderr, "wrapper: asking the running wrapper of %s all the same: it keeps the configuration it started with\n", name)
	return nil, name, ExitOK
}

// configOptions gives the loader the default service name, the wrapper
// executable (which log.dir must not hold) and a lookup that also knows
// WRAPPER_EXE, so a YAML (such as the demo's) can name the wrapper binary
// itself as the executable.
func configOptions(exe string) config.Options {
	return config.Options{
		DefaultName: exeBaseName(exe),
		WrapperExe:  exe,
		LookupEnv: func(key string) (string, bool) {
			if key == envExe {
				return exe, true
			}
			return os.LookupEnv(key)
		},
	}
}

// reportConfigError prints each configuration problem on its own line,
// followed by a count.
func reportConfigError(w io.Writer, err error) {
	fmt.Fprintln(w, err)
	var joined interface{ Unwrap() []error }
	n := 1
	if errors.As(err, &joined) {
		n = len(joined.Unwrap())
	}
	noun := "problem"
	if n != 1 {
		noun = "problems"
	}
	fmt.Fprintf(w, "wrapper: invalid configuration (%d %s)\n", n, noun)
}

// csvFlagUsage is the help text of install's --csv flag.
const csvFlagUsage = "install or update every service listed in this CSV `file` (columns name, config, start_mode, account: docs/fleet.md#batch-deploy)"

// errNotAdmin marks a failure for lack of administrator or root rights.
var errNotAdmin = errors.New("access denied: run it from an elevated (administrator) prompt")

// csvInstall is one platform's part of `install --csv`; installCSVRows
// does the rest.
type csvInstall[T any] struct {
	exe   string
	force bool
	// defaultName is the service name a YAML without name: gets when the
	// service runs (Windows: the service's own; Linux: the executable's).
	defaultName func(batch.Row) string
	// prepare applies the row's account and checks what the service
	// manager needs, changing nothing; trustFindings is checked after it.
	// Its warnings are printed when the row is applied.
	prepare func(batch.Row, *config.Config) (T, []string, error)
	// apply creates or updates the service, leaving nothing half done.
	apply func(*config.Config, T) (batch.Outcome, error)
}

// installCSVRows reads the CSV at path and checks every row: its YAML
// loads, names the service as the row does, and passes the platform's
// checks and trustFindings. One wrong row changes nothing and exits
// ExitUsage (ExitNotAdmin when it was refused for lack of rights). Then it
// applies each row, one summary line each on stdout, and exits ExitError
// when a row failed.
func installCSVRows[T any](path string, in csvInstall[T], stdout, stderr io.Writer) int {
	check := func(r batch.Row) (csvPlan[T], error) { return in.check(r) }
	apply := func(r batch.Row, p csvPlan[T]) (batch.Outcome, error) {
		for _, w := range p.warnings {
			fmt.Fprintf(stderr, "wrapper install: %s: warning: %s\n", r.Name, w)
		}
		return in.apply(p.cfg, p.p)
	}
	rows, err := batch.Read(path, batch.Options{StartModes: []string{
		config.StartAuto, config.StartDelayedAuto, config.StartManual, config.StartDisabled}})
	var results []batch.Result
	if err == nil {
		results, err = batch.Run(rows, check, apply, stdout)
	}
	if err != nil {
		n := len(unjoin(err))
		fmt.Fprintf(stderr, "%v\nwrapper install: %d %s in %s; nothing was changed\n", err, n, plural(n, "problem"), path)
		if errors.Is(err, errNotAdmin) {
			return ExitNotAdmin
		}
		return ExitUsage
	}
	if n := batch.CountFailed(results); n > 0 {
		fmt.Fprintf(stderr, "wrapper install: %d of %d %s failed; the others were applied\n", n, len(results), plural(len(results), "service"))
		return ExitError
	}
	return ExitOK
}

// csvPlan is a checked row: its configuration, the row's overrides
// applied, and what the platform made of it.
type csvPlan[T any] struct {
	cfg      *config.Config
	p        T
	warnings []string
}

// check loads the row's YAML as the service will when it runs, applies
// the row's start_mode, and runs the platform's checks and trustFindings.
func (in csvInstall[T]) check(r batch.Row) (csvPlan[T], error) {
	opts := configOptions(in.exe)
	opts.DefaultName = in.defaultName(r)
	cfg, err := config.Load(r.Config, opts)
	if err != nil {
		var ps []error
		for _, e := range unjoin(err) {
			ps = append(ps, r.Problem(batch.ColConfig, e))
		}
		return csvPlan[T]{}, errors.Join(ps...)
	}
	if cfg.Name != r.Name {
		return csvPlan[T]{}, r.Problem(batch.ColName, fmt.Errorf("%q, but %s gives the service the name %q (its name:, or else %q): "+
			"a service runs under the name its YAML gives it", r.Name, cfg.File, cfg.Name, opts.DefaultName))
	}
	if r.StartMode != "" {
		cfg.Service.StartMode = r.StartMode
	}
	p, warnings, err := in.prepare(r, cfg)
	if err != nil {
		return csvPlan[T]{}, err
	}
	found := trustFindings(cfg, in.exe)
	if len(found) > 0 && !in.force {
		return csvPlan[T]{}, r.Problem(batch.ColConfig, fmt.Errorf("refused: other accounts can change what the service runs or reads: %s "+
			"(wrapper install --config %s says how to fix it; --force installs anyway)", strings.Join(found, "; "), cfg.File))
	}
	return csvPlan[T]{cfg, p, append(found, warnings...)}, nil
}

// unjoin lists the errors of an errors.Join, or err itself.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// plural returns noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// reportTrust prints what trustFindings found: warnings with force, else
// the refusal, who ("other accounts") can change the files, and advice;
// it returns the exit code.
func reportTrust(found []string, force bool, who, advice string, stderr io.Writer) int {
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
	fmt.Fprintln(stderr, advice)
	return ExitUsage
}
