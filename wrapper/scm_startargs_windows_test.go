package wrapper

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows/svc"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestSCMStartArgs: with pass_start_args, `sc start NAME a "b c"` hands
// the child its configured arguments, then a and "b c"; they stay for that
// run of the service, across a reload (paramchange) and a restart of the
// child, and a start without arguments has none.
func TestSCMStartArgs(t *testing.T) {
	dir := fakechild.WorkDir(t)
	name := serviceName("wrapargs")
	exe := serviceExe(t, dir, name)
	marker := filepath.Join(dir, "no-crash.marker") // exists: the child does not crash
	writeFile(t, dir, "no-crash.marker", "")
	serviceYAML(t, dir, name, marker)
	writeFile(t, dir, name+".yaml", readFileString(t, filepath.Join(dir, name+".yaml"))+"pass_start_args: true\n")
	t.Cleanup(func() { deleteService(name) })
	sc(t, "create", name, "binPath=", exe)

	withArgs := fmt.Sprintf("args=%q\n", []string{marker, "a", "b c"})
	sc(t, "start", name, "a", "b c")
	waitService(t, name, svc.Running)
	waitLog(t, dir, name+".out.log", withArgs)
	controlService(t, name, svc.ParamChange)
	waitLog(t, dir, name+".wrapper.log", "configuration reloaded")
	if code, out := runExe(t, exe, "restart-child"); code != ExitOK {
		t.Fatalf("wrapper restart-child: exit %d\n%s", code, out)
	}
	waitLogCount(t, dir, name+".out.log", withArgs, 2)

	sc(t, "stop", name)
	waitService(t, name, svc.Stopped)
	sc(t, "start", name)
	waitService(t, name, svc.Running)
	out := waitLogCount(t, dir, name+".out.log", "ready", 3)
	last := out[strings.LastIndex(out, "args="):]
	if want := fmt.Sprintf("args=%q\n", []string{marker}); !strings.HasPrefix(last, want) {
		t.Errorf("a start without arguments: the child's last arguments are not the configured ones alone (%q):\n%s", want, out)
	}
}

// waitLogCount waits until dir/logs/file contains want n times and
// returns the content.
func waitLogCount(t *testing.T, dir, file, want string, n int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "logs", file))
		if strings.Count(string(b), want) >= n {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never contained %q %d times; it has:\n%s", file, want, n, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
