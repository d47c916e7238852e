package config

import (
	"net/url"
	"time"
)

// Defaults of the heartbeat keys.
const (
	defaultHeartbeatInterval = time.Minute
	defaultHeartbeatTimeout  = 10 * time.Second
)

// Heartbeat is a dead man's switch (Healthchecks.io and alike): a URL the
// wrapper GETs every Interval while the program runs and is healthy, and
// URL + "/fail" once when it gives up. Off when URL is empty (see
// Enabled); the durations always hold their values, defaults included.
type Heartbeat struct {
	// URL is an http:// or https:// URL. Default: "" (no heartbeat).
	URL string
	// Interval is the wait between two pings. More than 0. Default: 1m.
	Interval time.Duration
	// Timeout bounds one ping. More than 0. Default: 10s.
	Timeout time.Duration
}

// Enabled reports whether a heartbeat is configured.
func (h Heartbeat) Enabled() bool { return h.URL != "" }

// rawHeartbeat is the heartbeat section as written; line is the
// `heartbeat` key's.
type rawHeartbeat struct {
	line              int
	url               val[string]
	interval, timeout val[time.Duration]
}

// heartbeatField is the heartbeat section's entry in the field table.
func heartbeatField(r *rawHeartbeat) field {
	return field{name: "heartbeat", line: &r.line, sub: []field{
		{name: "url", decode: str(&r.url)},
		{name: "interval", decode: duration(&r.interval)},
		{name: "timeout", decode: duration(&r.timeout)},
	}}
}

// heartbeat resolves the heartbeat section: url is required once any key
// is written.
func (rs *resolver) heartbeat(r *rawHeartbeat) Heartbeat {
	rs.positive(r.interval, "heartbeat.interval")
	rs.positive(r.timeout, "heartbeat.timeout")
	out := Heartbeat{Interval: or(r.interval, defaultHeartbeatInterval), Timeout: or(r.timeout, defaultHeartbeatTimeout)}
	switch {
	case written(r.url):
		out.URL = rs.httpURL(r.url, "heartbeat.url")
	case written(r.interval) || written(r.timeout):
		rs.ps.add(r.line, "heartbeat", "url is required (the URL to ping, e.g. https://hc-ping.com/<uuid>)")
	}
	return out
}

// MaskURL returns a heartbeat URL with its path, query and user
// information replaced by ***: a dead man's switch URL carries its secret
// there (https://hc-ping.com/<uuid>), so what the wrapper prints names only
// the host.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return masked
	}
	return u.Scheme + "://" + u.Host + "/" + masked
}
