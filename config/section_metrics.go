package config

// The metrics key: a switch for the Prometheus endpoint on the http
// listener (section_http.go), which it needs.

// metrics resolves the metrics key: true needs the http listener, which
// serves /metrics.
func (rs *resolver) metrics(v val[bool], h HTTP) bool {
	on := or(v, false)
	if on && !h.Enabled() {
		rs.ps.add(v.line, "metrics", "serving /metrics needs the http listener: add an http section, e.g. http: {listen: %s}", DefaultHTTPListen)
	}
	return on
}
