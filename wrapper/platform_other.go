//go:build !windows && !linux

package wrapper

import (
	"io"

	"github.com/wrapper-dev/wrapper/config"
)

// serviceEntry reports whether this process was started by a service manager
// that needs a special entry point; only Windows has one.
func serviceEntry([]string, io.Writer) (bool, int) { return false, 0 }

// platformCommands returns the commands only this platform has: none, as
// there is no supported service manager (use `wrapper run` under one).
func platformCommands() []command { return nil }

// serviceStateLabel names the service manager's state in `wrapper status`.
const serviceStateLabel = "service"

// serviceState returns the service manager's view of name; there is none.
func serviceState(string) string { return "" }

// serviceDrift lists installed-service settings that differ from the YAML;
// none are known here.
func serviceDrift(*config.Config) []string { return nil }
