//go:build unix

package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needTool returns the path of a tool the test set-up installs
// (.ci/prometheus/setup.sh, .ci/chromium/setup.sh), or skips the test
// unless the environment variable require says it must run (CI sets it).
func needTool(t *testing.T, path, require, setup string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv(require) != "" {
			t.Fatalf("%s is missing and %s is set: run %s", path, require, setup)
		}
		t.Skipf("%s is missing (run %s, or make test, which does); set %s to make this a failure", path, setup, require)
	}
	return path
}

// freePort returns a loopback port that was free a moment ago: Prometheus
// takes its address as a flag and cannot report one it picked.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// promQuery runs an instant query against Prometheus's HTTP API and
// returns the first sample's value, or false when the result is empty.
func promQuery(t *testing.T, prom, query string) (float64, bool) {
	t.Helper()
	resp, err := http.Get(prom + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return 0, false // not up yet
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return 0, false // its storage is still starting
	}
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %s, %v", query, r.Status, err)
	}
	if len(r.Data.Result) == 0 {
		return 0, false
	}
	s, _ := r.Data.Result[0].Value[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("query %s: value %v", query, r.Data.Result[0].Value)
	}
	return v, true
}

// TestPrometheusScrapes runs a real Prometheus that scrapes a real
// wrapper every second, whose child crashes every two seconds, and reads
// through Prometheus's query API that wrapper_restarts_total{reason=
// "crash"} rises.
func TestPrometheusScrapes(t *testing.T) {
	bin := needTool(t, "/usr/bin/prometheus", "WRAPPER_REQUIRE_PROMETHEUS", ".ci/prometheus/setup.sh")
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "exit", []string{"3", "crashing"},
		httpYAML+"restart: {delay: 2s, max_delay: 2s, max_failures: 0}\n"))
	_, base := startHTTPWrapper(t, dir, cfg)
	target := strings.TrimPrefix(base, "http://")
	promCfg := writeFile(t, dir, "prometheus.yml", fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: wrapper
    static_configs: [{targets: [%q]}]
`, target))
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	prom := exec.CommandContext(ctx, bin, "--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr)
	var out bytes.Buffer
	prom.Stdout, prom.Stderr = &out, &out
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		prom.Wait()
		if t.Failed() {
			t.Logf("prometheus output:\n%s", out.String())
		}
	})
	q := `wrapper_restarts_total{job="wrapper",reason="crash"}`
	var first float64
	waitFor(t, "a first scrape of the wrapper", func() bool {
		v, ok := promQuery(t, "http://"+addr, q)
		first = v
		return ok
	})
	waitFor(t, "wrapper_restarts_total to rise in Prometheus", func() bool {
		v, ok := promQuery(t, "http://"+addr, q)
		return ok && v > first && v >= 1
	})
	if up, ok := promQuery(t, "http://"+addr, `up{job="wrapper"}`); !ok || up != 1 {
		t.Errorf("up = %v, %v; want 1", up, ok)
	}
}

// TestPageInBrowser loads the status page of a real wrapper in headless
// Chromium through a one-time login link (the cookie path a person
// takes) and checks what the page shows: the state, the restarts with
// their reason, the stderr tail as text (not markup), the two charts.
func TestPageInBrowser(t *testing.T) {
	bin := needTool(t, "/usr/bin/chromium", "WRAPPER_REQUIRE_CHROMIUM", ".ci/chromium/setup.sh")
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "stderr", []string{"<b>bold</b> & more"},
		httpYAML+"restart: {policy: always, delay: 1s, max_delay: 1s, max_failures: 0}\n"))
	_, base := startHTTPWrapper(t, dir, cfg)
	waitFor(t, "a restart", func() bool {
		_, body := api(t, "GET", base+"/status", true)
		return strings.Contains(body, `"restarts": 1`) || strings.Contains(body, `"restarts": 2`)
	})
	code, body := api(t, "POST", base+"/login", true)
	var link struct{ URL string }
	if code != 200 || json.Unmarshal([]byte(body), &link) != nil || link.URL == "" {
		t.Fatalf("login link: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	shot := filepath.Join(dir, "page.png")
	browser := func(args ...string) []byte {
		cmd := exec.CommandContext(ctx, bin, append([]string{"--headless", "--no-sandbox", "--disable-gpu",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
			"--user-data-dir=" + filepath.Join(dir, "chromium")}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return out
	}
	dom := string(browser("--dump-dom", base+link.URL))
	for _, want := range []string{
		`<h1>svc <span id="state"`,
		`<span class="reason">crash `,
		`&lt;b&gt;bold&lt;/b&gt; &amp; more`,
		`aria-label="restarts per minute, last hour"`,
		`aria-label="resident memory, last hour"`,
		`<rect class="bar"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %q:\n%s", want, dom)
		}
	}
	if strings.Contains(dom, "<b>bold</b>") {
		t.Error("the stderr tail became markup")
	}
	// The link was used: a second browser (no cookie) gets the login page.
	if again := string(browser("--dump-dom", base+link.URL)); !strings.Contains(again, "used or expired") {
		t.Errorf("second use of the link:\n%s", again)
	}
	browser("--window-size=900,700", "--screenshot="+shot, base+"/healthz")
	if b, err := os.ReadFile(shot); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("screenshot: %v", err)
	}
}
