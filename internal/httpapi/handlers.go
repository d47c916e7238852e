package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/page"
)

// status answers the live status, as `wrapper status --json` shows it
// under "status".
func (s *Server) status(w http.ResponseWriter, _ *http.Request, _ []byte) {
	resp := s.o.Control(control.Request{Cmd: "status"})
	if !resp.OK || resp.Status == nil {
		writeJSON(w, http.StatusInternalServerError, resp)
		return
	}
	writeJSON(w, http.StatusOK, resp.Status)
}

// command answers POST /reload, /restart-child and /rotate through the
// control handler: 200 when done, 422 for a reload refused because the
// YAML is invalid, 409 for anything else that failed (the supervisor is
// stopping, a rotation failed).
func (s *Server) command(cmd string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		resp := s.o.Control(control.Request{Cmd: cmd})
		code := http.StatusOK
		switch {
		case resp.Refused:
			code = http.StatusUnprocessableEntity
		case !resp.OK:
			code = http.StatusConflict
		}
		writeJSON(w, code, resp)
	}
}

// maxLogLines bounds /logs?n=.
const maxLogLines = 10000

// logs answers the last n lines (default 100) of a log: stream stdout
// (default), stderr or wrapper, as text.
func (s *Server) logs(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	stream := q.Get("stream")
	if stream == "" {
		stream = "stdout"
	}
	if stream != "stdout" && stream != "stderr" && stream != "wrapper" {
		writeError(w, http.StatusBadRequest, "stream must be stdout, stderr or wrapper")
		return
	}
	n := 100
	if v := q.Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 || n > maxLogLines {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("n must be a number from 0 to %d", maxLogLines))
			return
		}
	}
	var buf bytes.Buffer
	if err := s.o.Logs(&buf, stream, n); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// healthz answers 200 when the service is up, 503 otherwise, without
// authentication: for load balancers and uptime checks. It tells the
// supervisor's state and nothing else.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request, _ []byte) {
	ok, state := s.o.Ready()
	code := http.StatusOK
	if !ok {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"ok": ok, "state": state})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request, _ []byte) {
	if s.o.Metrics == nil {
		writeError(w, http.StatusNotFound, "metrics are off (metrics: true turns them on)")
		return
	}
	s.o.Metrics.ServeHTTP(w, r)
}

// login handles the page's two ways in:
//   - GET /login?ticket=T: a one-time link (from an authenticated
//     POST /login) sets the session cookie and goes to the page;
//   - POST /login with a bearer token or a signature: answers such a link;
//   - POST /login with the form field token (not with http.hmac): checks
//     it and sets the session cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request, body []byte) {
	switch {
	case r.Method == "GET":
		if !s.auth.useTicket(r.URL.Query().Get("ticket")) {
			s.loginPage(w, http.StatusForbidden, "That login link is used or expired.")
			return
		}
		s.startSession(w, r)
	case r.Method != "POST":
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "use GET with a ticket or POST")
	case r.Header.Get("Authorization") != "" || r.Header.Get(HeaderSignature) != "":
		if d := s.auth.check(r, body, false); d != nil {
			s.refuse(w, r, d)
			return
		}
		t, err := s.auth.newTicket()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "url": "/login?ticket=" + t, "expires_in_seconds": int(ticketLifetime.Seconds())})
	default:
		form, err := url.ParseQuery(string(body))
		switch {
		case s.o.HMACOnly:
			s.loginPage(w, http.StatusForbidden, "This wrapper accepts only signed requests.")
		case len(s.auth.secret) == 0:
			s.loginPage(w, http.StatusUnauthorized, "No token is configured for this wrapper.")
		case err != nil || !s.auth.tokenEqual(form.Get("token")):
			s.o.Logger.Warn("http login refused", "remote", r.RemoteAddr)
			s.loginPage(w, http.StatusForbidden, "Wrong token.")
		default:
			s.startSession(w, r)
		}
	}
}

// startSession sets the session cookie and sends the browser to the page.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request) {
	v, exp := s.auth.newSession()
	http.SetCookie(w, &http.Cookie{Name: s.auth.cookie, Value: v, Path: "/", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout clears the session cookie (the session itself is not stored: it
// ends with its expiry or a new token).
func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ []byte) {
	http.SetCookie(w, &http.Cookie{Name: s.auth.cookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// pageHeaders forbid everything a page does not need: no script at all,
// no framing, forms only to this listener.
func pageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

func (s *Server) loginPage(w http.ResponseWriter, code int, msg string) {
	var buf bytes.Buffer
	err := page.RenderLogin(&buf, page.Login{Service: s.o.Service, Message: msg, Form: !s.o.HMACOnly,
		Lifetime: page.Duration(sessionLifetime), TokenHint: s.tokenHint})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	pageHeaders(w)
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}
