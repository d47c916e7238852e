package wrapper

import "io"

// serviceStateLabel names the service manager's state in `wrapper status`
// (the output of systemctl is-active).
const serviceStateLabel = "systemd"

// serviceEntry reports whether this process was started by a service manager
// that needs a special entry point. systemd needs none: the unit runs
// `wrapper run`, which stops on SIGTERM and reports to $NOTIFY_SOCKET.
func serviceEntry([]string, io.Writer) (bool, int) { return false, 0 }

// platformCommands returns the systemd service-management commands.
func platformCommands() []command {
	return []command{
		{name: "install", summary: "write the systemd unit from the YAML and enable it per start_mode (idempotent)", run: cmdInstall},
		{name: "uninstall", summary: "stop and disable the systemd service and remove its unit", run: cmdUninstall},
		{name: "start", summary: "start the systemd service and wait until it is ready", run: systemctlCommand("start", "started")},
		{name: "stop", summary: "stop the systemd service and wait until it stopped", run: systemctlCommand("stop", "stopped")},
		{name: "restart", summary: "restart the systemd service (starts it when stopped)", run: systemctlCommand("restart", "restarted")},
	}
}
