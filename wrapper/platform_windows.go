package wrapper

import "io"

// serviceEntry reports whether the Service Control Manager started this
// process. TODO(issue 3): detect the SCM and run the service handler.
func serviceEntry([]string, io.Writer) (bool, int) { return false, 0 }

// platformCommands returns the commands only this platform has.
func platformCommands() []command { return nil }
