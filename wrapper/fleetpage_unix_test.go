//go:build unix

package wrapper

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/registry/consultest"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// hostileState is what a wrapper on another host could report as its
// state, to run script in the browser of whoever looks at the fleet.
const hostileState = `<img src=x onerror=alert(1)><b>pwned</b>`

// registerFleet registers an instance with agent, as a running wrapper
// would, and waits until the agent has its report.
func registerFleet(t *testing.T, agent *consultest.Agent, id string, meta map[string]string, rep registry.Report) {
	t.Helper()
	r, err := registry.Start(registry.Options{Address: agent.Addr(), Initial: rep,
		Service: registry.Service{ID: id, Name: id, Meta: meta}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(time.Second) })
	waitFor(t, id+"'s registration", func() bool { return len(agent.Updates("service:"+id)) > 0 })
}

// serveFleetPage starts `wrapper fleet status --serve 127.0.0.1:0` as a
// process of its own and returns the page's base URL.
func serveFleetPage(t *testing.T, args ...string) string {
	t.Helper()
	path, argv, env := fakechild.Command(t, "wrapper", append([]string{"fleet", "status", "--serve", "127.0.0.1:0"}, args...)...)
	cmd := exec.Command(path, argv...)
	cmd.Env = append(env, "WRAPPER_TEST_TOKEN="+apiToken)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("fleet status --serve did not end cleanly on SIGTERM: %v\n%s", err, stderr.String())
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	m := regexp.MustCompile(`serving the fleet page on (http://127\.0\.0\.1:\d+)/`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("fleet status --serve said %q (%v)\n%s", line, err, stderr.String())
	}
	return m[1]
}

// TestFleetPageInBrowser: `wrapper fleet status --serve` against the
// stand-in Consul agents of two hosts; headless Chromium is refused the
// page without the token (it gets the log-in form), then opens it through
// a one-time link, and the test checks the DOM: one row per service with
// host, state, health, restarts, uptime and source; the live wrapper's
// row links to its own page; a state a wrapper on another host reports
// with markup in it is text.
func TestFleetPageInBrowser(t *testing.T) {
	bin := needTool(t, "/usr/bin/chromium", "WRAPPER_REQUIRE_CHROMIUM", ".ci/chromium/setup.sh")
	dc := consultest.NewDatacenter("")
	a, b := dc.StartAgent(t, "host-a"), dc.StartAgent(t, "host-b")
	started := time.Now().Add(-2 * time.Hour)
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/status" || r.Header.Get("Authorization") != "Bearer "+apiToken {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(statusfile.Live{File: statusfile.File{Service: "api", State: "running", PID: 4242,
			Started: &started, Restarts: 3, Health: "healthy"}})
	}))
	t.Cleanup(live.Close)
	// A wrapper on host-b that answers /status with markup in its state.
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(statusfile.Live{File: statusfile.File{Service: "evil", State: hostileState}})
	}))
	t.Cleanup(hostile.Close)
	registerFleet(t, a, "api", map[string]string{registry.MetaHTTP: live.URL},
		registry.Report{Status: registry.Passing, Note: "child running", State: "running"})
	registerFleet(t, b, "worker", nil, registry.Report{Status: registry.Critical, Note: "child exited", State: "backoff", Restarts: 9})
	registerFleet(t, b, "evil", map[string]string{registry.MetaHTTP: hostile.URL},
		registry.Report{Status: registry.Warning, Note: "starting", State: "starting"})
	base := serveFleetPage(t, "--consul", a.Addr(), "--token-env", "WRAPPER_TEST_TOKEN")

	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dom := func(url string) string {
		cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "chromium"),
			"--dump-dom", url)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
		}
		return string(out)
	}
	if login := dom(base + "/"); !strings.Contains(login, `name="token"`) || strings.Contains(login, "host-a") {
		t.Fatalf("without the token the browser got:\n%s", login)
	}
	code, body := api(t, "POST", base+"/login", true)
	var link struct{ URL string }
	if code != 200 || json.Unmarshal([]byte(body), &link) != nil || link.URL == "" {
		t.Fatalf("login link: %d %s", code, body)
	}
	page := dom(base + link.URL)
	for _, want := range []string{
		`<td class="host">host-a</td>`,
		`<td class="service"><a href="` + live.URL + `/">api</a></td>`,
		`<td class="state ok">running</td>`,
		`<td class="health">passing (healthy)</td>`,
		`<td class="restarts">3</td>`,
		`<td class="uptime">2h 0m</td>`,
		`<td class="source">live</td>`,
		`<td class="host">host-b</td>`,
		`<td class="service">worker</td>`,
		`<td class="state bad">backoff</td>`,
		`<td class="restarts">9</td>`,
		`<td class="state warn">&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;pwned&lt;/b&gt;</td>`,
		`<td class="uptime">—</td>`,
		`<td class="source">registry</td>`,
		`<meta http-equiv="refresh" content="10">`,
		`action="/logout"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	if n := strings.Count(page, `<tr class="row">`); n != 3 {
		t.Errorf("%d rows, want 3:\n%s", n, page)
	}
	if strings.Contains(page, "<img") || strings.Contains(page, "<b>pwned") {
		t.Errorf("the reported state became markup:\n%s", page)
	}
}

// TestFleetServeRefusals: an address other than loopback needs the token
// and HTTPS; --serve goes without --json; the certificate flags go
// together.
func TestFleetServeRefusals(t *testing.T) {
	t.Setenv("TEST_FLEET_TOKEN", apiToken)
	t.Setenv("TEST_FLEET_SHORT", "short")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--serve", "0.0.0.0:0"}, "reachable from other machines: it needs a token (--token-env NAME) and HTTPS"},
		{[]string{"--serve", ":9999", "--token-env", "TEST_FLEET_TOKEN"}, "reachable from other machines"},
		{[]string{"--serve", "127.0.0.1:0", "--json"}, "--json and --serve exclude each other"},
		{[]string{"--serve", "127.0.0.1:0", "--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, "go with --serve ADDR"},
		{[]string{"--serve", "127.0.0.1:0", "--token-env", "TEST_FLEET_SHORT"}, "is 5 bytes long; the page needs at least 16"},
	} {
		code, _, stderr := runMain(t, append([]string{"fleet", "status"}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, ExitUsage, tt.want)
		}
	}
}
