package wrapper

import (
	"io"

	"github.com/wrapper-dev/wrapper/config"
)

// Exit codes of the service-management commands (install, uninstall,
// start, stop, restart), beside those in main.go; a service that is not
// installed is ExitNotRunning.
const (
	// ExitNotAdmin: the command lacks the rights it needs. Windows: run it
	// from an elevated prompt; Linux: run it as root.
	ExitNotAdmin = 5
	// ExitNoServiceManager: there is no service manager to ask. Linux:
	// systemd is not the running init (a container, WSL without systemd)
	// or systemctl is missing; `wrapper run` still works.
	ExitNoServiceManager = 7
)

// configFlagUsage is the help text of every command's --config flag.
const configFlagUsage = "configuration `file` (default: <exe-name>.yaml, else wrapper.yaml, beside the executable)"

// manageFlags parses [--config FILE] for a management command and loads the
// configuration, which names the service.
func manageFlags(name string, args []string, stdout, stderr io.Writer) (*config.Config, string, int) {
	fs := newFlagSet(name, name+" [--config FILE]", stdout)
	path := fs.String("config", "", configFlagUsage)
	if code, done := parseFlags(fs, args, stderr); done {
		return nil, "", code
	}
	cfg, code := loadConfig(*path, stderr)
	return cfg, *path, code
}
