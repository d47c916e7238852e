package consultest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// do sends one request to the agent and returns the status and body.
func do(t *testing.T, a *Agent, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+a.Addr()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Consul-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestDocumentedAnswers: the stand-in answers as Consul's API documentation
// and source say for the cases the client relies on.
func TestDocumentedAnswers(t *testing.T) {
	dc := NewDatacenter("tok")
	a := dc.StartAgent(t, "n1")
	tests := []struct {
		method, path, token, body string
		code                      int
		text                      string
	}{
		{"PUT", "/v1/agent/service/register", "", `{"Name":"web"}`, 403, "Permission denied"},
		{"PUT", "/v1/agent/service/register", "bad", `{"Name":"web"}`, 403, "ACL not found"},
		{"GET", "/v1/agent/service/register", "tok", "", 405, ""},
		{"PUT", "/v1/agent/service/register", "tok", `{"ID":"x"}`, 400, "Missing service name"},
		{"PUT", "/v1/agent/service/register", "tok", `{"Name":"web","Check":{"TTL":"10s","Status":"fine"}}`, 400, "Status for checks must"},
		{"PUT", "/v1/agent/service/register", "tok", `{"Name":"web","Check":{"HTTP":"http://x","Interval":"10s"}}`, 400, "only TTL checks"},
		{"PUT", "/v1/agent/check/update/service:web", "tok", `{"Status":"passing"}`, 404, `Unknown check ID "service:web"`},
		{"PUT", "/v1/agent/service/deregister/web", "tok", "", 404, `Unknown service ID "web"`},
		{"PUT", "/v1/agent/service/register", "tok", `{"Name":"web","Tags":["t"],"Check":{"TTL":"10s"}}`, 200, ""},
		{"PUT", "/v1/agent/check/update/service:web", "tok", `{"Status":"ok"}`, 400, "Invalid check status: 'ok'"},
		{"GET", "/v1/agent/check/update/service:web", "tok", "", 405, ""},
		{"PUT", "/v1/agent/check/update/service:web", "tok", `{"Status":"warning","Output":"slow"}`, 200, ""},
	}
	for _, tt := range tests {
		code, text := do(t, a, tt.method, tt.path, tt.token, tt.body)
		if code != tt.code || !strings.Contains(text, tt.text) {
			t.Errorf("%s %s %s: %d %q, want %d %q", tt.method, tt.path, tt.body, code, text, tt.code, tt.text)
		}
	}
	// The ID defaulted to the name, the check ID to service:<ID>.
	if st, out, ok := a.Check("service:web"); !ok || st != "warning" || out != "slow" {
		t.Errorf("check: %q %q %v", st, out, ok)
	}
	code, text := do(t, a, "GET", "/v1/catalog/services", "tok", "")
	if code != 200 || text != `{"consul":[],"web":["t"]}` {
		t.Errorf("catalog: %d %s", code, text)
	}
	code, text = do(t, a, "GET", "/v1/health/service/web?passing", "tok", "")
	if code != 200 || text != "[]" {
		t.Errorf("health, passing only, of a warning instance: %d %s", code, text)
	}
	code, text = do(t, a, "GET", "/v1/health/service/web?tag=t", "tok", "")
	var entries []struct {
		Node    struct{ Node string }
		Service struct{ ID, Service string }
		Checks  []struct{ CheckID, Status string }
	}
	if err := json.Unmarshal([]byte(text), &entries); code != 200 || err != nil || len(entries) != 1 ||
		entries[0].Node.Node != "n1" || entries[0].Service.ID != "web" || len(entries[0].Checks) != 2 ||
		entries[0].Checks[0].CheckID != "serfHealth" || entries[0].Checks[1].Status != "warning" {
		t.Errorf("health: %d %s (%v)", code, text, err)
	}
}

// TestTTLExpiry: a check not updated within its TTL reads as critical,
// with Consul's text before the last output.
func TestTTLExpiry(t *testing.T) {
	dc := NewDatacenter("")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	dc.now = func() time.Time { return now }
	a := dc.StartAgent(t, "n1")
	do(t, a, "PUT", "/v1/agent/service/register", "", `{"Name":"web","Check":{"TTL":"10s","Status":"passing"}}`)
	do(t, a, "PUT", "/v1/agent/check/update/service:web", "", `{"Status":"passing","Output":"fine"}`)
	dc.mu.Lock()
	now = now.Add(11 * time.Second)
	dc.mu.Unlock()
	if st, out, _ := a.Check("service:web"); st != "critical" || out != "TTL expired (last output before timeout follows): fine" {
		t.Errorf("after the TTL: %q %q", st, out)
	}
}
