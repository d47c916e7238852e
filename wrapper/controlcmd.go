package wrapper

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// controlCommand returns a CLI command that sends request cmd to the
// running wrapper and prints its answer.
func controlCommand(cmd string) func(args []string, stdout, stderr io.Writer) int {
	return func(args []string, stdout, stderr io.Writer) int {
		fs := newFlagSet(cmd, cmd+" [--config FILE]", stdout)
		path := fs.String("config", "", configFlagUsage)
		if code, done := parseFlags(fs, args, stderr); done {
			return code
		}
		_, name, code := loadForControl(*path, stderr)
		if name == "" {
			return code
		}
		resp, err := askWrapper(name, cmd)
		if errors.Is(err, control.ErrImpostor) {
			fmt.Fprintf(stderr, "wrapper %s: %v\n", cmd, err)
			return ExitError
		}
		if errors.Is(err, os.ErrPermission) {
			fmt.Fprintf(stderr, "wrapper %s: %v: the control endpoint admits only administrators (root) and the service's account\n", cmd, err)
			return ExitNotAdmin
		}
		if err != nil {
			fmt.Fprintf(stderr, "wrapper %s: no wrapper is running for %s: %v\n", cmd, name, err)
			return ExitNotRunning
		}
		if !resp.OK {
			fmt.Fprintf(stderr, "wrapper %s: %s\n", cmd, resp.Error)
			if resp.Refused {
				return ExitUsage // the new YAML is invalid
			}
			return ExitError
		}
		fmt.Fprintln(stdout, resp.Message)
		return ExitOK
	}
}

// askWrapper sends one request to the wrapper running for service name,
// once the endpoint found by the name has proven to be served by the
// process the service manager runs for it (wrapperExpect). An impostor is
// refused with control.ErrImpostor.
func askWrapper(name, cmd string) (control.Response, error) {
	return control.Ask(name, wrapperExpect(name), cmd)
}

// statusPath is where the wrapper for cfg publishes its status.
func statusPath(cfg *config.Config) string {
	return statusfile.Path(cfg.Log.Dir, cfg.Name)
}
