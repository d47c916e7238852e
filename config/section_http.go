package config

import (
	"net"
	"regexp"
	"strconv"
	"strings"
)

// DefaultHTTPListen is http.listen's default: loopback only.
const DefaultHTTPListen = "127.0.0.1:9464"

// HTTP is the wrapper's HTTP listener: the control API, /metrics and the
// status page. It is off (Listen is "", see Enabled) when the YAML has no
// http section or an empty one. The token itself is never in the YAML:
// TokenEnv or TokenFile says where the wrapper reads it when it starts.
type HTTP struct {
	// Listen is the host:port the listener binds; port 0 picks a free one,
	// which the wrapper's log names. An address other than loopback
	// (127.0.0.0/8, ::1, localhost) needs TLS and a token. Default when the
	// section has any key: 127.0.0.1:9464.
	Listen string
	// TokenEnv names the variable of the wrapper's own environment that
	// holds the API token; it is removed from the child's environment.
	// Default: "".
	TokenEnv string
	// TokenFile is the absolute path of a file holding the API token
	// (surrounding white space ignored). Default: "".
	TokenFile string
	// HMAC makes the API accept only requests signed with the token
	// (HMAC-SHA256); a bearer token is refused. Needs a token.
	// Default: false.
	HMAC bool
	// TLS is the certificate and key to serve HTTPS with; both "" serve
	// plain HTTP.
	TLS TLS
}

// TLS names a PEM certificate (chain) and its private key, absolute paths.
type TLS struct {
	// Cert is the certificate file, leaf first. Default: "".
	Cert string
	// Key is the private key file. Default: "".
	Key string
}

// Enabled reports whether the HTTP listener is on.
func (h HTTP) Enabled() bool { return h.Listen != "" }

// HasToken reports whether a token source is configured.
func (h HTTP) HasToken() bool { return h.TokenEnv != "" || h.TokenFile != "" }

// rawHTTP is the http section as written; line is the `http` key's.
type rawHTTP struct {
	line                        int
	listen, tokenEnv, tokenFile val[string]
	hmac                        val[bool]
	cert, key                   val[string]
}

// httpField is the http section's entry in the field table.
func httpField(r *rawHTTP) field {
	return field{name: "http", line: &r.line, sub: []field{
		{name: "listen", decode: str(&r.listen)},
		{name: "token_env", decode: str(&r.tokenEnv)},
		{name: "token_file", decode: str(&r.tokenFile)},
		{name: "hmac", decode: boolean(&r.hmac)},
		{name: "tls", sub: []field{
			{name: "cert", decode: str(&r.cert)},
			{name: "key", decode: str(&r.key)},
		}},
	}}
}

// envNameRule is what token_env accepts: a name every shell and service
// manager can set.
var envNameRule = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// http resolves the http section: off unless one of its keys is written.
func (rs *resolver) http(r *rawHTTP) HTTP {
	if !written(r.listen) && !written(r.tokenEnv) && !written(r.tokenFile) && !written(r.hmac) &&
		!written(r.cert) && !written(r.key) {
		return HTTP{}
	}
	out := HTTP{Listen: DefaultHTTPListen, HMAC: or(r.hmac, false)}
	if s, ok := rs.expand(r.listen, "http.listen"); ok {
		out.Listen = s
	}
	loopback, listenOK := rs.listenAddress(out.Listen, r.listen)
	if r.tokenEnv.set {
		if out.TokenEnv = r.tokenEnv.v; !envNameRule.MatchString(out.TokenEnv) {
			rs.ps.add(r.tokenEnv.line, "http.token_env", "invalid variable name %q: use letters, digits and '_', not starting with a digit", out.TokenEnv)
		}
	}
	if r.tokenFile.set {
		out.TokenFile, _ = rs.path(r.tokenFile, "http.token_file", rs.base)
	}
	rs.oneOf("http", r.line, true, []alt{{name: "token_env", v: r.tokenEnv}, {name: "token_file", v: r.tokenFile}})
	if r.cert.set {
		out.TLS.Cert, _ = rs.path(r.cert, "http.tls.cert", rs.base)
	}
	if r.key.set {
		out.TLS.Key, _ = rs.path(r.key, "http.tls.key", rs.base)
	}
	switch {
	case r.cert.set && !written(r.key):
		rs.ps.add(r.cert.line, "http.tls", "needs key as well as cert")
	case r.key.set && !written(r.cert):
		rs.ps.add(r.key.line, "http.tls", "needs cert as well as key")
	}
	token := written(r.tokenEnv) || written(r.tokenFile)
	if out.HMAC && !token {
		rs.ps.add(r.hmac.line, "http.hmac", "needs a token to check signatures with (http.token_env or http.token_file)")
	}
	if listenOK && !loopback {
		var missing []string
		if !written(r.cert) && !written(r.key) {
			missing = append(missing, "http.tls")
		}
		if !token {
			missing = append(missing, "a token (http.token_env or http.token_file)")
		}
		if len(missing) > 0 {
			rs.ps.add(max(r.listen.line, r.line), "http.listen", "%s is reachable from other machines: it needs %s (or listen on 127.0.0.1)",
				out.Listen, strings.Join(missing, " and "))
		}
	}
	return out
}

// listenAddress checks a listen address (port 0 allowed) and reports
// whether it is loopback only: localhost or a loopback IP. Any other host
// name may resolve to anything, and an empty host means every interface.
func (rs *resolver) listenAddress(s string, v val[string]) (loopback, ok bool) {
	host, port, err := net.SplitHostPort(s)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 0 || n > 65535 {
		rs.ps.add(v.line, "http.listen", "invalid address %q: want host:port with a port from 0 to 65535, e.g. 127.0.0.1:9464 or [::1]:9464", s)
		return false, false
	}
	if strings.EqualFold(host, "localhost") {
		return true, true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), true
}
