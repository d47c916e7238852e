package wrapper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wrapper-dev/wrapper/config"
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
