package httpapi

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startPage runs ListenPage on a free loopback port with a page that says
// whether it was reached through the session cookie.
func startPage(t *testing.T, secret []byte) *Server {
	t.Helper()
	s, err := ListenPage(PageOptions{Listen: "127.0.0.1:0", Secret: secret, Title: "fleet", Cookie: "test_fleet_session",
		TokenHint: "The token is in FLEET_TOKEN.",
		Page: func(_ context.Context, w io.Writer, session bool) int {
			io.WriteString(w, "<p>the page</p>")
			if session {
				io.WriteString(w, "<p>by session</p>")
			}
			return http.StatusOK
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestListenPageRefusesOpenAddresses: an address other than loopback needs
// a token and TLS; a page needs a cookie of its own.
func TestListenPageRefusesOpenAddresses(t *testing.T) {
	cert, _ := selfSigned(t)
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}}
	page := func(context.Context, io.Writer, bool) int { return 200 }
	for _, tt := range []struct {
		o  PageOptions
		ok bool
	}{
		{PageOptions{Listen: "0.0.0.0:0", Cookie: "c", Page: page}, false},
		{PageOptions{Listen: ":0", Secret: token, Cookie: "c", Page: page}, false},
		{PageOptions{Listen: "0.0.0.0:0", TLS: tlsConf, Cookie: "c", Page: page}, false},
		{PageOptions{Listen: "127.0.0.1:0", Cookie: sessionCookie, Page: page}, false},
		{PageOptions{Listen: "0.0.0.0:0", Secret: token, TLS: tlsConf, Cookie: "c", Page: page}, true},
		{PageOptions{Listen: "localhost:0", Cookie: "c", Page: page}, true},
	} {
		s, err := ListenPage(tt.o)
		if (err == nil) != tt.ok {
			t.Errorf("%s (token %v, TLS %v, cookie %s): %v", tt.o.Listen, tt.o.Secret != nil, tt.o.TLS != nil, tt.o.Cookie, err)
		}
		if err == nil {
			s.Close()
		}
	}
	for addr, want := range map[string]bool{"127.0.0.1:1": true, "[::1]:1": true, "LocalHost:1": true,
		":1": false, "0.0.0.0:1": false, "10.0.0.5:1": false, "example.com:1": false, "127.0.0.1": false} {
		if IsLoopback(addr) != want {
			t.Errorf("IsLoopback(%q) = %v", addr, !want)
		}
	}
}

// TestListenPageWithoutToken: the page is open (loopback only) and there
// is no log-in.
func TestListenPageWithoutToken(t *testing.T) {
	base := "http://" + startPage(t, nil).Addr()
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "<p>the page</p>" ||
		!strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("page: %d %q, headers %v", resp.StatusCode, b, resp.Header)
	}
	for _, path := range []string{"/login", "/status", "/x"} {
		if code, _ := call(t, http.DefaultClient, newReq(t, "GET", base+path, nil)); code != 404 {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
}

// TestListenPageLogin: with a token the page is the log-in page (naming
// where the token comes from) until the browser presents the token: as a
// bearer header, through a one-time link, or the form; the session cookie
// is the page's own, and the status page's cookie (same token) does not
// open it.
func TestListenPageLogin(t *testing.T) {
	base := "http://" + startPage(t, token).Addr()
	if code, body := call(t, http.DefaultClient, newReq(t, "GET", base+"/", nil)); code != 401 ||
		!strings.Contains(body, `name="token"`) || !strings.Contains(body, "The token is in FLEET_TOKEN.") {
		t.Fatalf("without credentials: %d %s", code, body)
	}
	bearer := newReq(t, "GET", base+"/", nil)
	bearer.Header.Set("Authorization", "Bearer "+string(token))
	if code, body := call(t, http.DefaultClient, bearer); code != 200 || body != "<p>the page</p>" {
		t.Errorf("bearer: %d %s", code, body)
	}
	req := newReq(t, "POST", base+"/login", nil)
	req.Header.Set("Authorization", "Bearer "+string(token))
	var link struct{ URL string }
	if code, body := call(t, http.DefaultClient, req); code != 200 || json.Unmarshal([]byte(body), &link) != nil {
		t.Fatalf("ticket: %d %s", code, body)
	}
	resp, err := noRedirect.Get(base + link.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != 303 || len(cookies) != 1 || cookies[0].Name != "test_fleet_session" || !cookies[0].HttpOnly {
		t.Fatalf("ticket use: %d, cookies %+v", resp.StatusCode, cookies)
	}
	withCookie := newReq(t, "GET", base+"/", nil)
	withCookie.AddCookie(cookies[0])
	if code, body := call(t, noRedirect, withCookie); code != 200 || !strings.Contains(body, "by session") {
		t.Errorf("with the cookie: %d %s", code, body)
	}
	// The status page's session, made with the same token, is another
	// cookie with another MAC label: it does not open this page.
	v, _ := newAuth(token, false, time.Now).newSession()
	for _, c := range []*http.Cookie{{Name: sessionCookie, Value: v}, {Name: "test_fleet_session", Value: v}} {
		other := newReq(t, "GET", base+"/", nil)
		other.AddCookie(c)
		if code, _ := call(t, noRedirect, other); code != 401 {
			t.Errorf("the status page's session as %s: %d, want 401", c.Name, code)
		}
	}
	form := newReq(t, "POST", base+"/login", []byte("token="+string(token)))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, _ := call(t, noRedirect, form); code != 303 {
		t.Errorf("the form with the token: %d, want 303", code)
	}
}
