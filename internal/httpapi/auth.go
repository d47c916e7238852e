package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The headers of a signed request (docs/fleet.md, "The HTTP API").
const (
	// HeaderTimestamp is the request's time in Unix seconds.
	HeaderTimestamp = "X-Wrapper-Timestamp"
	// HeaderNonce is a value the client never sends twice (16 to 64
	// characters; 32 random hex digits will do).
	HeaderNonce = "X-Wrapper-Nonce"
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256, keyed with the
	// token, of StringToSign.
	HeaderSignature = "X-Wrapper-Signature"
)

// SignatureWindow is how far a signed request's timestamp may be from the
// server's clock, either way; a nonce is remembered this long.
const SignatureWindow = 5 * time.Minute

// MinTokenLength is the shortest token accepted, in bytes.
const MinTokenLength = 16

// sessionCookie names the page's session cookie; sessionLifetime is how
// long it is valid; ticketLifetime how long a one-time login link is.
const (
	sessionCookie   = "wrapper_session"
	sessionLifetime = 12 * time.Hour
	ticketLifetime  = time.Minute
	maxTickets      = 32
)

// StringToSign is what a signed request's signature covers: the method,
// the path with its query as sent, the timestamp, the nonce and the body,
// joined by newlines.
func StringToSign(method, pathAndQuery, timestamp, nonce string, body []byte) []byte {
	s := method + "\n" + pathAndQuery + "\n" + timestamp + "\n" + nonce + "\n"
	return append([]byte(s), body...)
}

// Sign adds the signature headers to r, whose body is body, for the
// token secret at time now: the client side of the HMAC scheme.
func Sign(r *http.Request, secret, body []byte, now time.Time) error {
	var n [16]byte
	if _, err := rand.Read(n[:]); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	ts, nonce := strconv.FormatInt(now.Unix(), 10), hex.EncodeToString(n[:])
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderNonce, nonce)
	r.Header.Set(HeaderSignature, "sha256="+hex.EncodeToString(mac(secret, StringToSign(r.Method, r.URL.RequestURI(), ts, nonce, body))))
	return nil
}

func mac(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// denial is why a request was refused: 401 when it carried no usable
// credentials, 403 when they were wrong.
type denial struct {
	code int
	msg  string
}

// auth checks requests against the token. Its zero secret means no token
// is configured: every check fails with 401.
type auth struct {
	secret   []byte
	hmacOnly bool
	now      func() time.Time
	// cookie names the session cookie and label keys its MAC apart: a
	// browser sends every cookie of a host to each of its ports, and a
	// session of one listener must not open another's page.
	cookie, label string

	mu      sync.Mutex
	nonces  map[string]time.Time // signed requests' nonces, until they leave the window
	tickets map[string]time.Time // one-time login links, until they expire
}

func newAuth(secret []byte, hmacOnly bool, now func() time.Time) *auth {
	return &auth{secret: secret, hmacOnly: hmacOnly, now: now, cookie: sessionCookie, label: "session",
		nonces: map[string]time.Time{}, tickets: map[string]time.Time{}}
}

// check authenticates r, whose body (already read, within the limit) is
// body: by signature, by bearer token, or, when cookieOK, by the session
// cookie. It returns nil when r may proceed.
func (a *auth) check(r *http.Request, body []byte, cookieOK bool) *denial {
	if len(a.secret) == 0 {
		return &denial{http.StatusUnauthorized, "no token is configured for this wrapper (http.token_env or http.token_file)"}
	}
	if r.Header.Get(HeaderSignature) != "" {
		return a.checkSignature(r, body)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		given, ok := strings.CutPrefix(h, "Bearer ")
		switch {
		case !ok:
			return &denial{http.StatusUnauthorized, "unsupported Authorization scheme: want Bearer"}
		case a.hmacOnly:
			return &denial{http.StatusUnauthorized, "this wrapper accepts only signed requests (http.hmac): sign with the token instead of sending it"}
		case !a.tokenEqual(given):
			return &denial{http.StatusForbidden, "wrong token"}
		}
		return nil
	}
	if c, err := r.Cookie(a.cookie); err == nil && cookieOK {
		if a.sessionValid(c.Value) {
			return nil
		}
		return &denial{http.StatusUnauthorized, "session expired or invalid: log in again"}
	}
	return &denial{http.StatusUnauthorized, "authentication required: a bearer token or a signed request"}
}

// tokenEqual compares in constant time; hashing both first hides the
// token's length too.
func (a *auth) tokenEqual(given string) bool {
	g, w := sha256.Sum256([]byte(given)), sha256.Sum256(a.secret)
	return hmac.Equal(g[:], w[:])
}

// checkSignature verifies a signed request: timestamp within the window,
// signature right, nonce not seen in the window. The nonce is remembered
// only once the signature holds, so no one without the token can fill
// the memory.
func (a *auth) checkSignature(r *http.Request, body []byte) *denial {
	ts, nonce := r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderNonce)
	sig, ok := strings.CutPrefix(r.Header.Get(HeaderSignature), "sha256=")
	if ts == "" || !ok || len(nonce) < 16 || len(nonce) > 64 {
		return &denial{http.StatusUnauthorized, fmt.Sprintf("a signed request needs %s, %s (16 to 64 characters) and %s: sha256=<hex>",
			HeaderTimestamp, HeaderNonce, HeaderSignature)}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return &denial{http.StatusUnauthorized, HeaderTimestamp + " must be Unix seconds"}
	}
	now := a.now()
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureWindow || d < -SignatureWindow {
		return &denial{http.StatusForbidden, fmt.Sprintf("stale request: its timestamp is %s away from the server's clock (at most %s)", d.Round(time.Second).Abs(), SignatureWindow)}
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(a.secret, StringToSign(r.Method, r.URL.RequestURI(), ts, nonce, body))) {
		return &denial{http.StatusForbidden, "bad signature"}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for n, until := range a.nonces {
		if now.After(until) {
			delete(a.nonces, n)
		}
	}
	if _, seen := a.nonces[nonce]; seen {
		return &denial{http.StatusForbidden, "replayed request: this nonce was used already"}
	}
	a.nonces[nonce] = now.Add(2 * SignatureWindow)
	return nil
}

// newSession returns a session cookie value: its expiry and an HMAC of it
// keyed with the token. Nothing is stored; a changed token ends every
// session.
func (a *auth) newSession() (string, time.Time) {
	exp := a.now().Add(sessionLifetime)
	v := strconv.FormatInt(exp.Unix(), 10)
	return v + "." + hex.EncodeToString(mac(a.secret, []byte(a.label+"\n"+v))), exp
}

func (a *auth) sessionValid(value string) bool {
	v, sig, ok := strings.Cut(value, ".")
	exp, err := strconv.ParseInt(v, 10, 64)
	got, herr := hex.DecodeString(sig)
	return ok && err == nil && herr == nil && a.now().Before(time.Unix(exp, 0)) &&
		hmac.Equal(got, mac(a.secret, []byte(a.label+"\n"+v)))
}

// newTicket returns a one-time login ticket; at most maxTickets are
// outstanding (the oldest is dropped).
func (a *auth) newTicket() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("login ticket: %w", err)
	}
	t := hex.EncodeToString(b[:])
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	var oldest string
	for k, until := range a.tickets {
		if now.After(until) {
			delete(a.tickets, k)
		} else if oldest == "" || until.Before(a.tickets[oldest]) {
			oldest = k
		}
	}
	if len(a.tickets) >= maxTickets {
		delete(a.tickets, oldest)
	}
	a.tickets[t] = now.Add(ticketLifetime)
	return t, nil
}

// useTicket consumes a ticket: true once, within its lifetime.
func (a *auth) useTicket(t string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	until, ok := a.tickets[t]
	delete(a.tickets, t)
	return ok && !a.now().After(until)
}
