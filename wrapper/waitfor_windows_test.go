package wrapper

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows/svc"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestSCMWaitForService: a wait_for service condition against the real
// SCM (Wine's under `make test-windows`). The dependency is a wrapper
// service made with `sc create`: not installed, then STOPPED, are
// reported as such; a foreground `wrapper run` waits for it, starts no
// child while it is stopped, and starts its child once `sc start` made
// it RUNNING.
func TestSCMWaitForService(t *testing.T) {
	dir := fakechild.WorkDir(t)
	dep := serviceName("wrapdep")
	exe := serviceExe(t, dir, dep)
	serviceYAML(t, dir, dep, filepath.Join(dir, "crashed.marker"))
	t.Cleanup(func() { deleteService(dep) })

	ctx := context.Background()
	if err := serviceRunning(ctx, dep); err == nil || err.Error() != "service "+dep+" is not installed" {
		t.Fatalf("before sc create: %v", err)
	}
	sc(t, "create", dep, "binPath=", exe)
	if err := serviceRunning(ctx, dep); err == nil || err.Error() != "service "+dep+" is STOPPED" {
		t.Fatalf("after sc create: %v", err)
	}

	app := fakechild.WorkDir(t)
	cfg := writeFile(t, app, "svc.yaml", childYAML(t, "echo", []string{"started"},
		"restart: {policy: never}\nwait_for:\n  - service: "+dep+"\n    timeout: 5m\n"))
	wait := runAsync(t, "run", "--config", cfg)
	waitLog(t, app, "svc.wrapper.log", `for="service `+dep+`"`)
	if out := readLog(t, app, "svc.out.log"); out != "" {
		t.Fatalf("the child ran while %s was stopped: %q", dep, out)
	}
	sc(t, "start", dep)
	if code, stderr := wait(); code != ExitOK {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitOK, stderr)
	}
	if out := readLog(t, app, "svc.out.log"); !strings.HasPrefix(out, "started") {
		t.Fatalf("child output %q, want started", out)
	}
	if err := serviceRunning(ctx, dep); err != nil {
		t.Errorf("while running: %v", err)
	}
	sc(t, "stop", dep)
	waitService(t, dep, svc.Stopped)
}
