package httpapi

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

var token = []byte("0123456789abcdef-test-token")

// stub is a control handler that records the commands it got.
type stub struct {
	mu   sync.Mutex
	cmds []string
}

func (s *stub) handle(r control.Request) control.Response {
	s.mu.Lock()
	s.cmds = append(s.cmds, r.Cmd)
	s.mu.Unlock()
	switch r.Cmd {
	case "status":
		return control.Response{OK: true, Status: &statusfile.Live{File: statusfile.File{Service: "svc", State: "running", PID: 42,
			StderrTail: []string{"<script>alert(1)</script>"}}}}
	case "reload":
		return control.Response{Error: "reload refused", Refused: true}
	}
	return control.Response{OK: true, Message: r.Cmd + " done"}
}

func (s *stub) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

// start runs a server on a free loopback port with the stub handler.
func start(t *testing.T, edit func(*Options)) (*Server, *stub) {
	t.Helper()
	st := &stub{}
	o := Options{Listen: "127.0.0.1:0", Secret: token, Service: "svc", Control: st.handle,
		Logs: func(w io.Writer, stream string, n int) error {
			_, err := io.WriteString(w, stream+" lines\n")
			return err
		},
		Ready: func() (bool, string) { return true, "running" }}
	if edit != nil {
		edit(&o)
	}
	s, err := Listen(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, st
}

// call sends a request and returns the status code and body.
func call(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func newReq(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// noRedirect keeps 303s visible.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestBearerToken: no credentials 401 (with WWW-Authenticate and a JSON
// error), a wrong token or scheme 403/401, the right one 200; the open
// endpoints need nothing; no command runs for a refused request.
func TestBearerToken(t *testing.T) {
	s, st := start(t, nil)
	base := "http://" + s.Addr()
	for _, c := range []struct {
		name, method, path, auth string
		code                     int
		want                     string
	}{
		{"status without token", "GET", "/status", "", 401, "authentication required"},
		{"restart without token", "POST", "/restart-child", "", 401, "authentication required"},
		{"wrong token", "POST", "/restart-child", "Bearer wrong-token-wrong-token", 403, "wrong token"},
		{"token prefix only", "POST", "/restart-child", "Bearer " + string(token[:8]), 403, "wrong token"},
		{"basic scheme", "GET", "/status", "Basic " + string(token), 401, "want Bearer"},
		{"good token status", "GET", "/status", "Bearer " + string(token), 200, `"pid": 42`},
		{"good token restart", "POST", "/restart-child", "Bearer " + string(token), 200, "restart-child done"},
		{"reload refused is 422", "POST", "/reload", "Bearer " + string(token), 422, "reload refused"},
		{"rotate", "POST", "/rotate", "Bearer " + string(token), 200, "rotate done"},
		{"logs", "GET", "/logs?stream=stderr&n=5", "Bearer " + string(token), 200, "stderr lines"},
		{"logs bad stream", "GET", "/logs?stream=x", "Bearer " + string(token), 400, "stream must be"},
		{"logs bad n", "GET", "/logs?n=-1", "Bearer " + string(token), 400, "n must be"},
		{"wrong method", "GET", "/reload", "Bearer " + string(token), 405, "use POST"},
		{"unknown path", "GET", "/nope", "Bearer " + string(token), 404, "no such endpoint"},
		{"healthz open", "GET", "/healthz", "", 200, `"state": "running"`},
		{"metrics off", "GET", "/metrics", "", 404, "metrics are off"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := newReq(t, c.method, base+c.path, nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			code, body := call(t, http.DefaultClient, req)
			if code != c.code || !strings.Contains(body, c.want) {
				t.Errorf("%s %s: %d %s; want %d containing %q", c.method, c.path, code, body, c.code, c.want)
			}
			if code == 401 || code == 403 {
				var e control.Response
				if json.Unmarshal([]byte(body), &e) != nil || e.OK || e.Error == "" {
					t.Errorf("refusal is not a JSON error: %s", body)
				}
			}
		})
	}
	if got := strings.Join(st.got(), ","); got != "status,restart-child,reload,rotate" {
		t.Errorf("commands run: %s; want only the authenticated ones", got)
	}
}

// signed returns a request signed at time at.
func signed(t *testing.T, method, url string, body []byte, at time.Time) *http.Request {
	t.Helper()
	req := newReq(t, method, url, body)
	if err := Sign(req, token, body, at); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestHMACSignatures: a good signature passes; a wrong key, a changed
// path, query or body, a stale timestamp and a replay are refused; with
// hmac on, the bearer token and the login form are refused.
func TestHMACSignatures(t *testing.T) {
	s, st := start(t, func(o *Options) { o.HMACOnly = true })
	base := "http://" + s.Addr()
	now := time.Now()
	good := signed(t, "POST", base+"/restart-child", nil, now)
	if code, body := call(t, http.DefaultClient, good); code != 200 {
		t.Fatalf("good signature: %d %s", code, body)
	}
	replay := newReq(t, "POST", base+"/restart-child", nil)
	replay.Header = good.Header.Clone()
	if code, body := call(t, http.DefaultClient, replay); code != 403 || !strings.Contains(body, "replayed") {
		t.Errorf("replay: %d %s", code, body)
	}
	if code, body := call(t, http.DefaultClient, signed(t, "GET", base+"/status", nil, now.Add(-SignatureWindow-time.Minute))); code != 403 || !strings.Contains(body, "stale") {
		t.Errorf("stale: %d %s", code, body)
	}
	if code, _ := call(t, http.DefaultClient, signed(t, "GET", base+"/status", nil, now.Add(SignatureWindow-time.Minute))); code != 200 {
		t.Errorf("a clock 4 minutes ahead: %d, want 200", code)
	}
	wrongKey := newReq(t, "POST", base+"/rotate", nil)
	if err := Sign(wrongKey, []byte("another-key-another-key"), nil, now); err != nil {
		t.Fatal(err)
	}
	if code, body := call(t, http.DefaultClient, wrongKey); code != 403 || !strings.Contains(body, "bad signature") {
		t.Errorf("wrong key: %d %s", code, body)
	}
	// A signature moved to another path, query or body does not hold.
	moved := signed(t, "GET", base+"/logs?stream=stdout", nil, now)
	moved.URL.RawQuery = "stream=stderr"
	if code, _ := call(t, http.DefaultClient, moved); code != 403 {
		t.Errorf("changed query: %d, want 403", code)
	}
	body := signed(t, "POST", base+"/rotate", []byte("a"), now)
	body.Body, body.ContentLength = io.NopCloser(strings.NewReader("b")), 1
	if code, _ := call(t, http.DefaultClient, body); code != 403 {
		t.Errorf("changed body: %d, want 403", code)
	}
	missing := newReq(t, "GET", base+"/status", nil)
	missing.Header.Set(HeaderSignature, "sha256=00")
	if code, body := call(t, http.DefaultClient, missing); code != 401 || !strings.Contains(body, HeaderNonce) {
		t.Errorf("no timestamp or nonce: %d %s", code, body)
	}
	bearer := newReq(t, "GET", base+"/status", nil)
	bearer.Header.Set("Authorization", "Bearer "+string(token))
	if code, body := call(t, http.DefaultClient, bearer); code != 401 || !strings.Contains(body, "only signed") {
		t.Errorf("bearer under hmac: %d %s", code, body)
	}
	form := newReq(t, "POST", base+"/login", []byte("token="+string(token)))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, _ := call(t, noRedirect, form); code != 403 {
		t.Errorf("login form under hmac: %d, want 403", code)
	}
	if got := strings.Join(st.got(), ","); got != "restart-child,status" {
		t.Errorf("commands run: %s", got)
	}
}

// TestBodyLimit: a body above MaxBody is refused with 413 before any
// authentication or command.
func TestBodyLimit(t *testing.T) {
	s, st := start(t, nil)
	req := newReq(t, "POST", "http://"+s.Addr()+"/reload", bytes.Repeat([]byte("x"), MaxBody+1))
	req.Header.Set("Authorization", "Bearer "+string(token))
	if code, body := call(t, http.DefaultClient, req); code != 413 {
		t.Errorf("large body: %d %s", code, body)
	}
	if len(st.got()) != 0 {
		t.Errorf("commands run: %v", st.got())
	}
}

// TestNoTokenConfigured: without a token only /healthz and /metrics answer.
func TestNoTokenConfigured(t *testing.T) {
	s, _ := start(t, func(o *Options) { o.Secret = nil })
	req := newReq(t, "GET", "http://"+s.Addr()+"/status", nil)
	req.Header.Set("Authorization", "Bearer anything-at-all-really")
	if code, body := call(t, http.DefaultClient, req); code != 401 || !strings.Contains(body, "no token is configured") {
		t.Errorf("status: %d %s", code, body)
	}
}

// TestLoginTicketAndCookie: the page without credentials is the login
// page (401); a signed-in POST /login gives a one-time link whose GET sets
// an HttpOnly SameSite=Strict cookie; the cookie opens the page and GETs
// but never a command; the link works once.
func TestLoginTicketAndCookie(t *testing.T) {
	s, st := start(t, nil)
	base := "http://" + s.Addr()
	if code, body := call(t, http.DefaultClient, newReq(t, "GET", base+"/", nil)); code != 401 || !strings.Contains(body, `name="token"`) {
		t.Fatalf("page without credentials: %d %s", code, body)
	}
	req := newReq(t, "POST", base+"/login", nil)
	req.Header.Set("Authorization", "Bearer "+string(token))
	code, body := call(t, http.DefaultClient, req)
	var link struct{ URL string }
	if code != 200 || json.Unmarshal([]byte(body), &link) != nil || !strings.HasPrefix(link.URL, "/login?ticket=") {
		t.Fatalf("ticket: %d %s", code, body)
	}
	resp, err := noRedirect.Get(base + link.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != 303 || len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("ticket use: %d, cookies %+v", resp.StatusCode, cookies)
	}
	if code, _ := call(t, noRedirect, newReq(t, "GET", base+link.URL, nil)); code != 403 {
		t.Errorf("second use of the link: %d, want 403", code)
	}
	withCookie := func(method, path string) (int, string) {
		r := newReq(t, method, base+path, nil)
		r.AddCookie(cookies[0])
		return call(t, noRedirect, r)
	}
	if code, body := withCookie("GET", "/"); code != 200 || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(body, "<script>") {
		t.Errorf("page with the cookie: %d, stderr escaped? %s", code, body)
	}
	if code, _ := withCookie("POST", "/restart-child"); code != 401 {
		t.Errorf("a command with only the cookie: %d, want 401", code)
	}
	forged := newReq(t, "GET", base+"/status", nil)
	forged.AddCookie(&http.Cookie{Name: sessionCookie, Value: "99999999999.00"})
	if code, _ := call(t, noRedirect, forged); code != 401 {
		t.Errorf("forged cookie: %d, want 401", code)
	}
	form := newReq(t, "POST", base+"/login", []byte("token=wrong"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, _ := call(t, noRedirect, form); code != 403 {
		t.Errorf("wrong token in the form: %d, want 403", code)
	}
	for _, c := range st.got() {
		if c != "status" {
			t.Errorf("command %q ran", c)
		}
	}
}

// selfSigned makes a throwaway certificate for 127.0.0.1.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wrapper test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestTLS: with a certificate the listener speaks HTTPS only, the client
// verifies it, and the session cookie is Secure.
func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	s, _ := start(t, func(o *Options) {
		o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	})
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req := newReq(t, "GET", "https://"+s.Addr()+"/status", nil)
	req.Header.Set("Authorization", "Bearer "+string(token))
	if code, body := call(t, c, req); code != 200 || !strings.Contains(body, `"service": "svc"`) {
		t.Errorf("https status: %d %s", code, body)
	}
	if resp, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("plain http to the TLS listener: %d", resp.StatusCode)
		}
	}
	form := newReq(t, "POST", "https://"+s.Addr()+"/login", []byte("token="+string(token)))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cs := resp.Cookies(); resp.StatusCode != 303 || len(cs) != 1 || !cs[0].Secure {
		t.Errorf("login over TLS: %d, cookies %+v; want one Secure cookie", resp.StatusCode, cs)
	}
}
