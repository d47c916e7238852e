package wrapper

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/registry/consultest"
)

// TestRegistryFollowsTheWrapper runs a whole wrapper registered with a
// stand-in Consul agent that is down when the wrapper starts, and checks
// what the agent sees: the registration once the agent comes up (with
// tags, meta, port, the TTL check and the token on every request), the
// check following a real crash and restart of the child, the registration
// again after the agent restarted without its state, and the
// deregistration at stop while the child still runs.
func TestRegistryFollowsTheWrapper(t *testing.T) {
	dc := consultest.NewDatacenter("s3cret")
	agent := dc.NewAgent(t, "host-a") // down at start
	t.Setenv("TEST_CONSUL_TOKEN", "s3cret")
	dir := t.TempDir()
	extra := fmt.Sprintf(`restart: {delay: 1s}
registry:
  consul:
    address: %s
    token_env: TEST_CONSUL_TOKEN
    service: api
    port: 8080
    tags: [v2]
    meta: {team: payments}
`, agent.Addr())
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hang", []string{"ready"}, extra))
	cmd, stderr := startWrapper(t, cfg)

	// The agent is down: a warning, and the child runs regardless.
	waitFor(t, "the child", func() bool { return readyCount(t, dir) == 1 })
	waitFor(t, "the registration warning", func() bool {
		return strings.Contains(readLog(t, dir, "svc.wrapper.log"), "consul registration failed; the child is not affected")
	})
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the registration and its first update", func() bool {
		st, out, _ := agent.Check("service:svc")
		return st == registry.Passing && strings.Contains(out, "state=running")
	})
	checkRegistration(t, agent)

	// A real crash: critical while backing off, passing once restarted.
	pid := liveStatusOf(t, cfg).Status.PID
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "critical, then passing again", func() bool { return crashSeen(agent.Updates("service:svc")) })
	waitFor(t, "the restarted child", func() bool { return readyCount(t, dir) == 2 })

	// The agent restarts without its state: the next update finds the
	// check unknown, and the wrapper registers again.
	if err := agent.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(liveStatusOf(t, cfg).Status.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the registration after the agent's restart", func() bool {
		st, _, _ := agent.Check("service:svc")
		_, ok := agent.Service("svc")
		return ok && st == registry.Passing && readyCount(t, dir) == 3
	})
	if log := readLog(t, dir, "svc.wrapper.log"); !strings.Contains(log, "consul no longer knows the service") {
		t.Errorf("wrapper log lacks the re-registration:\n%s", log)
	}

	stopDeregistersFirst(t, dc, agent, cmd, stderr, liveStatusOf(t, cfg).Status.PID)
}

// stopDeregistersFirst stops the wrapper with SIGTERM and checks that the
// deregistration reached the agent while the child (pid) still ran, and
// that every request carried the token.
func stopDeregistersFirst(t *testing.T, dc *consultest.Datacenter, agent *consultest.Agent, cmd *exec.Cmd, stderr *bytes.Buffer, child int) {
	t.Helper()
	var mu sync.Mutex
	deregistered, childRan := false, false
	dc.SetHook(func(r consultest.Request) {
		if r.Method == "PUT" && r.Path == "/v1/agent/service/deregister/svc" {
			mu.Lock()
			deregistered, childRan = true, running(child)
			mu.Unlock()
		}
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wrapper: %v\n%s", err, stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if !deregistered || !childRan {
		t.Errorf("deregistered %v, with the child still running %v", deregistered, childRan)
	}
	if _, ok := agent.Service("svc"); ok {
		t.Error("still registered after the stop")
	}
	for _, r := range dc.Requests() {
		if r.Token != "s3cret" {
			t.Errorf("%s %s without the token", r.Method, r.Path)
		}
	}
}

// checkRegistration checks what the wrapper registered.
func checkRegistration(t *testing.T, agent *consultest.Agent) {
	t.Helper()
	reg, ok := agent.Service("svc")
	if !ok {
		t.Fatal("not registered")
	}
	if reg.Name != "api" || reg.Port != 8080 || !slices.Equal(reg.Tags, []string{"v2", registry.Tag}) ||
		reg.Meta["team"] != "payments" || reg.Meta[registry.MetaMarker] != registry.MarkerValue || reg.Meta[registry.MetaVersion] == "" {
		t.Errorf("registration %+v", reg)
	}
	if c := reg.Check; c == nil || c.CheckID != "service:svc" || c.TTL != registry.DefaultTTL.String() {
		t.Errorf("check %+v", reg.Check)
	}
	if _, out, _ := agent.Check("service:svc"); !strings.Contains(out, "child running, pid") || !strings.Contains(out, "state=running") {
		t.Errorf("check output %q", out)
	}
}

// crashSeen reports a passing update, then a critical one that names the
// SIGKILL, then a passing one.
func crashSeen(updates []consultest.Update) bool {
	step := 0
	for _, u := range updates {
		switch {
		case step == 0 && u.Status == registry.Passing:
			step = 1
		case step == 1 && u.Status == registry.Critical && strings.Contains(u.Output, "killed by SIGKILL") &&
			strings.Contains(u.Output, "state=backoff"):
			step = 2
		case step == 2 && u.Status == registry.Passing:
			return true
		}
	}
	return false
}

// running reports whether process pid exists and is not a zombie: an
// exited child stays in the process table until the wrapper reaps it.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return rest != "" && rest[0] != 'Z' && rest[0] != 'X'
}
