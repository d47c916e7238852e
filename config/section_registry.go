package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// defaultConsulAddress is the local Consul agent's HTTP API.
const defaultConsulAddress = "127.0.0.1:8500"

// minDeregisterCriticalAfter is Consul's smallest
// deregister_critical_service_after: its reaper would not act sooner.
const minDeregisterCriticalAfter = time.Minute

// Meta keys the wrapper sets itself (internal/registry's contract), and the
// one it reads back when an operator publishes it.
const (
	metaMarker  = "wrapper"
	metaVersion = "wrapper_version"
	metaHTTP    = "wrapper_http"
)

// Consul's limits on service meta data (agent/structs.ValidateServiceMetadata).
const (
	maxMetaPairs    = 64
	maxMetaValueLen = 512
)

// validMetaKey is Consul's rule for meta keys: 1 to 128 letters, digits,
// '_' and '-'. A loop rather than a regular expression: the counted
// repetition {1,128} compiles into a program of hundreds of states at every
// start, as nameRule's comment explains.
func validMetaKey(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Registry is where the running wrapper registers its service.
type Registry struct {
	// Consul registers the service with a Consul agent. Default: none
	// (Consul.Enabled is false).
	Consul Consul
}

// Consul is the registration with a Consul agent: the service, its tags,
// meta data and port, and a TTL check that the wrapper keeps at its own
// verdict on the child. Values are set only when Enabled.
type Consul struct {
	// Enabled reports that the registry.consul section is written as a
	// mapping (`consul: {}` registers with every default).
	Enabled bool
	// Address is the agent's HTTP API: host:port or an http:// or https://
	// URL. Default: 127.0.0.1:8500.
	Address string
	// TokenEnv names the environment variable that holds the ACL token at
	// run time; tokens never live in the YAML. Default: "" (Consul's own
	// CONSUL_HTTP_TOKEN, if set).
	TokenEnv string
	// Service is the Consul service name. Default: Name.
	Service string
	// Port is the service's port, 0 to 65535; 0 registers none. Default: 0.
	Port int
	// Tags are the service's tags; the wrapper adds "wrapper".
	// Default: none (empty, non-nil).
	Tags []string
	// Meta is the service's meta data; the wrapper adds "wrapper" and
	// "wrapper_version". Default: none (empty, non-nil).
	Meta map[string]string
	// DeregisterCriticalAfter makes Consul remove the service once its
	// check has been critical this long; 0 or at least 1m. Default: 0
	// (never).
	DeregisterCriticalAfter time.Duration
}

// rawRegistry is the registry section as written.
type rawRegistry struct {
	consulLine      int
	consulWritten   bool // a mapping, not null
	address         val[string]
	tokenEnv        val[string]
	service         val[string]
	port            val[int]
	tags            val[[]val[string]]
	meta            val[[]metaEntry]
	deregisterAfter val[time.Duration]
}

// metaEntry is one registry.consul.meta entry, in file order.
type metaEntry struct {
	key     string
	keyLine int
	value   val[string]
}

// registryField is the registry section's entry in the field table.
func registryField(r *rawRegistry) field {
	return field{name: "registry", sub: []field{
		{name: "consul", line: &r.consulLine, present: &r.consulWritten, sub: []field{
			{name: "address", decode: str(&r.address)},
			{name: "token_env", decode: str(&r.tokenEnv)},
			{name: "service", decode: str(&r.service)},
			{name: "port", decode: count(&r.port)},
			{name: "tags", decode: strList(&r.tags)},
			{name: "meta", decode: metaMap(&r.meta)},
			{name: "deregister_critical_after", decode: duration(&r.deregisterAfter)},
		}},
	}}
}

// metaMap decodes a mapping of strings, keeping file order and lines.
func metaMap(p *val[[]metaEntry]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) ([]metaEntry, bool) {
		if n.Kind != yaml.MappingNode {
			d.ps.add(n.Line, key, "expected a mapping of keys to strings, got %s", describe(n))
			return nil, false
		}
		var out []metaEntry
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], deref(n.Content[i+1])
			name, ok := d.keyName(key, k)
			if !ok {
				continue
			}
			path := key + "." + name
			if first, dup := seen[name]; dup {
				d.ps.add(k.Line, path, "duplicate key (first defined at line %d)", first)
				continue
			}
			seen[name] = k.Line
			e := metaEntry{key: name, keyLine: k.Line, value: val[string]{line: v.Line}}
			if isNull(v) {
				d.ps.add(v.Line, path, `expected a string, got null (write "" for an empty value)`)
				e.value.bad = true
			} else if e.value.v, e.value.set = asString(d, path, v); !e.value.set {
				e.value.bad = true
			}
			out = append(out, e)
		}
		return out, true
	})
}

// registry resolves the registry section; name is the service name.
func (rs *resolver) registry(r *rawRegistry, name string) Registry {
	c := Consul{Tags: []string{}, Meta: map[string]string{}}
	if !r.consulWritten {
		return Registry{Consul: c}
	}
	c.Enabled = true
	c.Address = defaultConsulAddress
	if s, ok := rs.expand(r.address, "registry.consul.address"); ok {
		if consulAddress(s) {
			c.Address = s
		} else {
			rs.ps.add(r.address.line, "registry.consul.address", "invalid address %q: want host:port or an http:// or https:// URL, e.g. 127.0.0.1:8500", s)
		}
	}
	if r.tokenEnv.set && r.tokenEnv.v != "" {
		if err := checkEnvName(r.tokenEnv.v); err != nil {
			rs.ps.add(r.tokenEnv.line, "registry.consul.token_env", "%v", err)
		}
		c.TokenEnv = r.tokenEnv.v
	}
	c.Service = name
	if s, ok := rs.expand(r.service, "registry.consul.service"); ok {
		if !validName(s) {
			rs.ps.add(r.service.line, "registry.consul.service", "invalid service name %q: use 1 to 80 letters, digits, '_', '.' or '-', starting with a letter or digit", s)
		}
		c.Service = s
	}
	c.Port = or(r.port, 0)
	if c.Port > 65535 {
		rs.ps.add(r.port.line, "registry.consul.port", "must be at most 65535, got %d", c.Port)
	}
	for i, t := range r.tags.v {
		key := fmt.Sprintf("registry.consul.tags[%d]", i)
		if s, ok := rs.expand(t, key); ok && s == "" {
			rs.ps.add(t.line, key, "must not be empty")
		} else if ok && rs.singleLine(val[string]{v: s, line: t.line}, key, 256) {
			c.Tags = append(c.Tags, s)
		}
	}
	c.Meta = rs.meta(r.meta)
	c.DeregisterCriticalAfter = or(r.deregisterAfter, 0)
	if d := c.DeregisterCriticalAfter; d > 0 && d < minDeregisterCriticalAfter {
		rs.ps.add(r.deregisterAfter.line, "registry.consul.deregister_critical_after", "must be 0 (never) or at least 1m (Consul's minimum), got %v", d)
	}
	return Registry{Consul: c}
}

// meta checks registry.consul.meta against Consul's rules and the keys the
// wrapper sets itself, and expands the values.
func (rs *resolver) meta(m val[[]metaEntry]) map[string]string {
	out := map[string]string{}
	if len(m.v) > maxMetaPairs-2 { // the wrapper adds two
		rs.ps.add(m.line, "registry.consul.meta", "too many keys (%d, at most %d)", len(m.v), maxMetaPairs-2)
	}
	for _, e := range m.v {
		key := "registry.consul.meta." + e.key
		switch {
		case !validMetaKey(e.key):
			rs.ps.add(e.keyLine, key, "invalid meta key: use 1 to 128 letters, digits, '_' or '-'")
			continue
		case strings.HasPrefix(e.key, "consul-"):
			rs.ps.add(e.keyLine, key, "the prefix consul- is reserved by Consul")
			continue
		case e.key == metaMarker || e.key == metaVersion:
			rs.ps.add(e.keyLine, key, "set by the wrapper itself (it marks the services a wrapper registered)")
			continue
		}
		s, ok := rs.expand(e.value, key)
		switch {
		case !ok:
		case len(s) > maxMetaValueLen:
			rs.ps.add(e.value.line, key, "too long (%d bytes, at most %d)", len(s), maxMetaValueLen)
		case e.key == metaHTTP && !httpBase(s):
			rs.ps.add(e.value.line, key, "invalid URL %q: want the wrapper's HTTP API as http:// or https:// and a host, e.g. http://10.0.0.5:9464", s)
		default:
			out[e.key] = s
		}
	}
	return out
}

// consulAddress accepts host:port (port 1 to 65535) or an http:// or
// https:// URL with a host, as Consul's clients do.
func consulAddress(s string) bool {
	if strings.Contains(s, "://") {
		return httpBase(s)
	}
	host, port, err := net.SplitHostPort(s)
	n, perr := strconv.Atoi(port)
	return err == nil && host != "" && perr == nil && n >= 1 && n <= 65535
}

// httpBase accepts an http:// or https:// URL with a host.
func httpBase(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
