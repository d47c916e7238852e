//go:build unix

package wrapper

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// apiToken is the token the tests' wrappers read from WRAPPER_TEST_TOKEN.
const apiToken = "test-token-0123456789abcdef"

// httpYAML is the http section the tests add: a free loopback port, the
// token from the environment.
const httpYAML = "http:\n  listen: 127.0.0.1:0\n  token_env: WRAPPER_TEST_TOKEN\nmetrics: true\n"

// startHTTPWrapper runs `wrapper run --config cfg` with the token in its
// environment and returns the process and its API's base URL, read from
// the wrapper's log line "http listening".
func startHTTPWrapper(t *testing.T, dir, cfg string) (*exec.Cmd, string) {
	t.Helper()
	path, argv, env := fakechild.Command(t, "wrapper", "run", "--config", cfg)
	cmd := exec.Command(path, argv...)
	cmd.Env = append(env, "WRAPPER_TEST_TOKEN="+apiToken)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	})
	addr := regexp.MustCompile(`msg="http listening".* addr=(\S+)`)
	var base string
	waitFor(t, "the http listener", func() bool {
		if m := addr.FindStringSubmatch(readLog(t, dir, "svc.wrapper.log")); m != nil {
			base = "http://" + m[1]
		}
		return base != ""
	})
	return cmd, base
}

// api sends one request to the wrapper, with the token when auth is set,
// and returns the status code and body.
func api(t *testing.T, method, url string, auth bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+apiToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// statusPID returns the child's pid from GET /status.
func statusPID(t *testing.T, base string) int {
	t.Helper()
	code, body := api(t, "GET", base+"/status", true)
	var st struct{ PID int }
	if code != 200 || json.Unmarshal([]byte(body), &st) != nil {
		t.Fatalf("status: %d %s", code, body)
	}
	return st.PID
}

// TestHTTPCommands drives a real wrapper through its HTTP API: refused
// without the token, then restart-child, rotate, logs and an invalid
// reload, each through the handler the CLI's endpoint uses.
func TestHTTPCommands(t *testing.T) {
	dir := t.TempDir()
	yaml := childYAML(t, "hang", []string{"ready"}, httpYAML)
	cfg := writeFile(t, dir, "svc.yaml", yaml)
	_, base := startHTTPWrapper(t, dir, cfg)
	waitFor(t, "the first child", func() bool { return readyCount(t, dir) == 1 })

	if code, body := api(t, "POST", base+"/restart-child", false); code != 401 || !strings.Contains(body, `"error"`) {
		t.Fatalf("restart-child without the token: %d %s", code, body)
	}
	if code, _ := api(t, "GET", base+"/healthz", false); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	first := statusPID(t, base)
	if code, body := api(t, "POST", base+"/restart-child", true); code != 200 || !strings.Contains(body, "child restarting") {
		t.Fatalf("restart-child: %d %s", code, body)
	}
	waitFor(t, "the restarted child", func() bool { p := statusPID(t, base); return p != 0 && p != first })
	if code, body := api(t, "POST", base+"/rotate", true); code != 200 || !strings.Contains(body, "logs rotated") {
		t.Fatalf("rotate: %d %s", code, body)
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "logs", "svc.out-*.log")); len(backups) != 1 {
		t.Errorf("after rotate: backups %v, want 1", backups)
	}
	if code, body := api(t, "GET", base+"/logs?stream=wrapper&n=50", true); code != 200 || !strings.Contains(body, "logs rotated on request") {
		t.Errorf("logs: %d %s", code, body)
	}
	writeFile(t, dir, "svc.yaml", yaml+"restart: {policy: sometimes}\n")
	if code, body := api(t, "POST", base+"/reload", true); code != 422 || !strings.Contains(body, "restart.policy") {
		t.Errorf("invalid reload: %d %s", code, body)
	}
	writeFile(t, dir, "svc.yaml", yaml)
	if code, body := api(t, "POST", base+"/reload", true); code != 200 || !strings.Contains(body, "reloaded") {
		t.Errorf("reload: %d %s", code, body)
	}
	if code, body := api(t, "GET", base+"/metrics", false); code != 200 || !strings.Contains(body, `wrapper_restarts_total{reason="request"} 1`) {
		t.Errorf("metrics: %d %s", code, body)
	}
}

// TestTokenNotInChildEnv: the variable named by token_env is the
// wrapper's, not the child's.
func TestTokenNotInChildEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("WRAPPER_TEST_TOKEN", apiToken)
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "env", nil, httpYAML+"restart: {policy: never}\n"))
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("run: %d %s", code, stderr)
	}
	out := readLog(t, dir, "svc.out.log")
	if !strings.Contains(out, "WRAPPER_SERVICE_NAME=svc") || strings.Contains(out, "WRAPPER_TEST_TOKEN") {
		t.Errorf("child environment:\n%s", out)
	}
}

// TestHTTPStartFailures: a missing token variable or a world-readable
// token file stops the wrapper at start, saying why.
func TestHTTPStartFailures(t *testing.T) {
	dir := t.TempDir()
	tok := writeFile(t, dir, "api.token", apiToken)
	if err := os.Chmod(tok, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ extra, want string }{
		{"http: {token_env: WRAPPER_NO_SUCH_VAR}\n", "WRAPPER_NO_SUCH_VAR is not set"},
		{"http: {token_file: api.token}\n", "readable by other users"},
	} {
		cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hang", nil, c.extra))
		if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitError || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", c.extra, code, stderr, ExitError, c.want)
		}
	}
}
