package control

import (
	"os/exec"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// isolate does nothing on Windows: pipe names come from the service name
// alone, which newService makes unique.
func isolate(*testing.T) string { return "" }

// forgedListener takes service's pipe name as a squatter would: first.
func forgedListener(service string) (Listener, error) { return Listen(service) }

// startImpostor runs a process that takes service's pipe name first, as
// any user can, and returns its pid.
func startImpostor(t *testing.T, service string) int {
	t.Helper()
	path, argv, env := fakechild.Command(t, "impostor", service)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	return runImpostor(t, cmd)
}
