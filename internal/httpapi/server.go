// Package httpapi is the wrapper's HTTP listener: the control API (the
// same requests as the local endpoint, answered by the same handler),
// /healthz, /metrics and the status page, behind a bearer token or HMAC
// signatures (docs/fleet.md, "The HTTP API"). It takes plain values and
// functions, never a configuration.
package httpapi

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/metrics"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// Limits of the listener.
const (
	// MaxBody is the largest request body read; no endpoint needs more
	// than a login form.
	MaxBody = 16 << 10
	// maxHeader bounds the request line and headers.
	maxHeader = 16 << 10
	// readHeaderTimeout and readTimeout end slow clients; writeTimeout
	// bounds a whole answer (a reload answers once applied).
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 60 * time.Second
	// closeWait bounds the wait for requests in progress at Close.
	closeWait = 3 * time.Second
	// refresh is the status page's reload interval in seconds.
	refresh = 10
)

// Options configure a Server. Control, Logs and Ready are required.
type Options struct {
	// Listen is the host:port to bind; port 0 picks a free one (see Addr).
	Listen string
	// Secret is the token; empty means none is configured, and every
	// endpoint but /healthz and /metrics answers 401.
	Secret []byte
	// HMACOnly refuses bearer tokens and the login form: only signed
	// requests (and the sessions of signed one-time links) pass.
	HMACOnly bool
	// TLS serves HTTPS when not nil.
	TLS *tls.Config
	// Service and Version are shown on the page.
	Service, Version string
	// Control answers status, reload, restart-child and rotate: the very
	// handler of the local endpoint.
	Control func(control.Request) control.Response
	// Logs writes the last n lines of stream (stdout, stderr, wrapper).
	Logs func(w io.Writer, stream string, n int) error
	// Ready reports whether the service is up (child running and, with a
	// health check, healthy) and the supervisor's state, for /healthz.
	Ready func() (bool, string)
	// Metrics serves /metrics; nil answers 404.
	Metrics http.Handler
	// History feeds the page's restart counts and charts; Usage its
	// memory figure. Either may be nil.
	History *metrics.Recorder
	Usage   func() (supervisor.Usage, error)
	// Logger receives refused requests and serving errors.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is a running listener.
type Server struct {
	o         Options
	auth      *auth
	ln        net.Listener
	srv       *http.Server
	done      chan struct{}
	tokenHint string                                     // the login page's word on where the token comes from
	pageFn    func(context.Context, io.Writer, bool) int // ListenPage's page
}

// Listen binds the address and starts serving in the background.
func Listen(o Options) (*Server, error) {
	return listen(o, &Server{}, (*Server).routes)
}

// listen fills s from o, binds the address and serves routes(s) in the
// background.
func listen(o Options, s *Server, routes func(*Server) http.Handler) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("http listen: %w", err)
	}
	s.o, s.ln, s.done = o, ln, make(chan struct{})
	if s.auth == nil {
		s.auth = newAuth(o.Secret, o.HMACOnly, o.Now)
	}
	s.srv = &http.Server{
		Handler:           routes(s),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	if o.TLS != nil {
		s.srv.TLSConfig = o.TLS
		ln = tls.NewListener(ln, o.TLS)
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Logger.Error("http listener stopped", "err", err)
		}
	}()
	return s, nil
}

// Addr returns the bound address (with the port chosen for port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting, waits at most closeWait for requests in progress,
// then closes what is left.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
}

// route is one endpoint: its method, whether it needs authentication, and
// whether a session cookie counts (read-only GETs only: a cookie is never
// enough to change anything, so no other site can make a browser reload or
// restart through it).
type route struct {
	method        string
	auth, cookies bool
	h             func(http.ResponseWriter, *http.Request, []byte)
}

// routes maps the endpoints of the wrapper's listener.
func (s *Server) routes() http.Handler {
	return s.mux(map[string]route{
		"/":              {"GET", true, true, s.page},
		"/status":        {"GET", true, true, s.status},
		"/logs":          {"GET", true, true, s.logs},
		"/reload":        {"POST", true, false, s.command("reload")},
		"/restart-child": {"POST", true, false, s.command("restart-child")},
		"/rotate":        {"POST", true, false, s.command("rotate")},
		"/healthz":       {"GET", false, false, s.healthz},
		"/metrics":       {"GET", false, false, s.metrics},
		"/login":         {"", false, false, s.login},
		"/logout":        {"POST", false, false, s.logout},
	})
}

// mux serves routes with the checks every endpoint shares: headers,
// method, body limit, authentication.
func (s *Server) mux(routes map[string]route) http.Handler {
	mux := http.NewServeMux()
	for path, rt := range routes {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			if path == "/" && r.URL.Path != "/" {
				writeError(w, http.StatusNotFound, "no such endpoint")
				return
			}
			if rt.method != "" && r.Method != rt.method && !(rt.method == "GET" && r.Method == "HEAD") {
				w.Header().Set("Allow", rt.method)
				writeError(w, http.StatusMethodNotAllowed, "use "+rt.method)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
			if err != nil {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes or unreadable", MaxBody))
				return
			}
			if rt.auth {
				if d := s.auth.check(r, body, rt.cookies); d != nil {
					s.refuse(w, r, d)
					return
				}
			}
			rt.h(w, r, body)
		})
	}
	return mux
}

// refuse answers a request that failed authentication: JSON for the API,
// the login page for the page.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, d *denial) {
	s.o.Logger.Warn("http request refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "status", d.code, "reason", d.msg)
	if d.code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wrapper"`)
	}
	if r.URL.Path == "/" {
		s.loginPage(w, d.code, "")
		return
	}
	writeError(w, d.code, d.msg)
}

// writeJSON answers v as JSON with code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client may be gone
}

// writeError answers {"ok": false, "error": msg}, the shape of a failed
// control.Response.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, control.Response{Error: msg})
}
