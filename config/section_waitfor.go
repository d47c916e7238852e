package config

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// defaultConditionTimeout is the default of wait_for[].timeout.
const defaultConditionTimeout = time.Minute

// Condition is one wait_for item: a condition that must be met before every
// start of the program. Exactly one of TCP, File, HTTP and Service is set.
type Condition struct {
	// TCP is a host:port to which a TCP connection must open.
	TCP string
	// File is the absolute path of a file (or directory) that must exist.
	File string
	// HTTP is an http:// or https:// URL whose GET must answer with a 2xx
	// or 3xx status.
	HTTP string
	// Service is a Windows service that must be RUNNING, or on Linux a
	// systemd unit that must be active (a .service when the name has no
	// type suffix).
	Service string
	// Timeout is how long the condition may stay unmet before that start
	// counts as failed (restart backoff and max_failures apply).
	// Default: 1m.
	Timeout time.Duration
}

// rawCondition is one wait_for item; line and key (wait_for[i]) are the
// item's; noisy records that decoding it already reported a problem.
type rawCondition struct {
	line            int
	key             string
	noisy           bool
	tcp, file, http val[string]
	service         val[string]
	timeout         val[time.Duration]
}

// waitForField is the wait_for list's entry in the field table.
func waitForField(p *val[[]*rawCondition]) field {
	return field{name: "wait_for", decode: conditions(p), items: conditionFields(&rawCondition{})}
}

// conditionFields are the keys of one wait_for item.
func conditionFields(c *rawCondition) []field {
	return []field{
		{name: "tcp", decode: str(&c.tcp)},
		{name: "file", decode: str(&c.file)},
		{name: "http", decode: str(&c.http)},
		{name: "service", decode: str(&c.service)},
		{name: "timeout", decode: duration(&c.timeout)},
	}
}

// conditions decodes the wait_for list of mappings.
func conditions(p *val[[]*rawCondition]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) ([]*rawCondition, bool) {
		if n.Kind != yaml.SequenceNode {
			d.ps.add(n.Line, key, "expected a list of conditions such as `- tcp: db:5432`, got %s", describe(n))
			return nil, false
		}
		out := make([]*rawCondition, 0, len(n.Content))
		for i, e := range n.Content {
			e = deref(e)
			k := fmt.Sprintf("%s[%d]", key, i)
			if e.Kind != yaml.MappingNode {
				d.ps.add(e.Line, k, "expected a mapping such as `tcp: db:5432`, got %s", describe(e))
				continue
			}
			c := &rawCondition{line: e.Line, key: k}
			before := len(d.ps.list)
			d.mapping(k, e, conditionFields(c))
			c.noisy = len(d.ps.list) > before
			out = append(out, c)
		}
		return out, true
	})
}

// waitFor resolves the wait_for items.
func (rs *resolver) waitFor(items []*rawCondition) []Condition {
	out := make([]Condition, 0, len(items))
	for _, c := range items {
		key := c.key
		cond := Condition{Timeout: or(c.timeout, defaultConditionTimeout)}
		rs.positive(c.timeout, key+".timeout")
		alts := []alt{{name: "tcp", v: c.tcp}, {name: "file", v: c.file}, {name: "http", v: c.http}, {name: "service", v: c.service}}
		if rs.oneOf(key, c.line, c.noisy, alts) {
			cond.TCP = rs.address(c.tcp, key+".tcp")
			cond.HTTP = rs.httpURL(c.http, key+".http")
			cond.Service = rs.serviceName(c.service, key+".service")
			if c.file.set && c.file.v == "" {
				rs.ps.add(c.file.line, key+".file", "must not be empty (the path of a file that must exist)")
			} else if c.file.set {
				cond.File, _ = rs.path(c.file, key+".file", rs.base)
			}
		}
		out = append(out, cond)
	}
	return out
}

// serviceName expands and checks the name of a service or unit to wait
// for. The rule is what no service manager accepts, the same everywhere
// so that a file means the same on both: a Windows service name may hold
// spaces, a systemd unit name backslash escapes (\x2d).
func (rs *resolver) serviceName(v val[string], key string) string {
	s, ok := rs.expand(v, key)
	switch {
	case !ok:
		return ""
	case s == "":
		rs.ps.add(v.line, key, "must not be empty (the name of a Windows service or a systemd unit)")
	case len(s) > 256:
		rs.ps.add(v.line, key, "too long (%d bytes, at most 256)", len(s))
	case strings.ContainsFunc(s, unicode.IsControl) || strings.Contains(s, "/"):
		rs.ps.add(v.line, key, "invalid service name %q: no control characters or '/'", s)
	case strings.HasPrefix(s, "-"):
		rs.ps.add(v.line, key, "invalid service name %q: must not start with '-'", s)
	default:
		return s
	}
	return ""
}
