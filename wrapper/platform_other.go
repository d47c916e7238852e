//go:build !windows

package wrapper

import "io"

// serviceEntry reports whether this process was started by a service manager
// that needs a special entry point; only Windows has one.
func serviceEntry([]string, io.Writer) (bool, int) { return false, 0 }

// platformCommands returns the commands only this platform has.
func platformCommands() []command { return nil }

// serviceState returns the service manager's view of name; there is none
// here yet (systemd comes with `wrapper install` on Linux).
func serviceState(string) string { return "" }
