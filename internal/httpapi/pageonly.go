package httpapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// PageOptions configure a listener that serves one read-only page with
// the status page's protections (`wrapper fleet status --serve`): the
// same headers and limits, and with a token the same ways in (a bearer
// token, the log-in form, one-time links, a session cookie of its own).
type PageOptions struct {
	// Listen is the host:port to bind; port 0 picks a free one (see Addr).
	// Without Secret and TLS it must be loopback (IsLoopback).
	Listen string
	// Secret is the token the browser must present; empty serves the page
	// to anyone who can connect.
	Secret []byte
	// TLS serves HTTPS when not nil.
	TLS *tls.Config
	// Title heads the log-in page; TokenHint says there where the token
	// comes from.
	Title, TokenHint string
	// Cookie names the session cookie, which must differ from the status
	// page's (a browser sends a host's cookies to all its ports).
	Cookie string
	// Page writes the page for GET / to w and returns the HTTP status;
	// session reports that the request came with the session cookie (the
	// page may offer a log-out button). ctx ends when the client goes.
	Page func(ctx context.Context, w io.Writer, session bool) int
	// Logger receives refused requests and serving errors.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ListenPage binds the address and serves the page in the background. It
// refuses an address other than loopback without both a secret and TLS:
// the page, the token of the log-in form and the cookie would cross the
// network readable by anyone on the way.
func ListenPage(o PageOptions) (*Server, error) {
	if !IsLoopback(o.Listen) && (len(o.Secret) == 0 || o.TLS == nil) {
		return nil, fmt.Errorf("http listen: %s is reachable from other machines: it needs a token and TLS", o.Listen)
	}
	if o.Page == nil || o.Cookie == "" || o.Cookie == sessionCookie {
		return nil, errors.New("http listen: a page and a cookie name of its own are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a := newAuth(o.Secret, false, o.Now)
	a.cookie, a.label = o.Cookie, o.Cookie
	s := &Server{auth: a, tokenHint: o.TokenHint, pageFn: o.Page}
	return listen(Options{Listen: o.Listen, Secret: o.Secret, TLS: o.TLS, Service: o.Title, Logger: o.Logger, Now: o.Now},
		s, func(s *Server) http.Handler {
			routes := map[string]route{"/": {"GET", len(o.Secret) > 0, true, s.onePage}}
			if len(o.Secret) > 0 {
				routes["/login"] = route{"", false, false, s.login}
				routes["/logout"] = route{"POST", false, false, s.logout}
			}
			return s.mux(routes)
		})
}

// onePage answers ListenPage's page.
func (s *Server) onePage(w http.ResponseWriter, r *http.Request, _ []byte) {
	var buf bytes.Buffer
	code := s.pageFn(r.Context(), &buf, len(s.auth.secret) > 0 && s.bySession(r))
	pageHeaders(w)
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// bySession reports whether r came in with the session cookie rather than
// a token.
func (s *Server) bySession(r *http.Request) bool {
	_, err := r.Cookie(s.auth.cookie)
	return err == nil && r.Header.Get("Authorization") == ""
}

// IsLoopback reports whether the listen address host:port binds loopback
// only: localhost or a loopback IP. Any other host name may resolve to
// anything, and an empty host means every interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
