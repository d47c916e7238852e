package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// rawHealth is the health section as written; line is the `health` key's.
type rawHealth struct {
	line                           int
	http, tcp                      val[string]
	command                        val[[]val[string]]
	interval, timeout, startPeriod val[time.Duration]
	failures                       val[int]
}

// rawCondition is one wait_for item; line and key (wait_for[i]) are the
// item's; noisy records that decoding it already reported a problem.
type rawCondition struct {
	line            int
	key             string
	noisy           bool
	tcp, file, http val[string]
	timeout         val[time.Duration]
}

type rawHooks struct {
	preStart, postStart, preStop, postStop rawHook
}

// rawHook is one hook; line is its key's.
type rawHook struct {
	line    int
	command val[[]val[string]]
	timeout val[time.Duration]
}

// checkFields returns the schema of the health, wait_for, hooks and watch
// keys, decoding into r.
func checkFields(r *raw) []field {
	hook := func(name string, h *rawHook) field {
		return field{name: name, line: &h.line, sub: []field{
			{name: "command", decode: command(&h.command)},
			{name: "timeout", decode: duration(&h.timeout)},
		}}
	}
	return []field{
		{name: "health", line: &r.health.line, sub: []field{
			{name: "http", decode: str(&r.health.http)},
			{name: "tcp", decode: str(&r.health.tcp)},
			{name: "command", decode: command(&r.health.command)},
			{name: "interval", decode: duration(&r.health.interval)},
			{name: "timeout", decode: duration(&r.health.timeout)},
			{name: "start_period", decode: duration(&r.health.startPeriod)},
			{name: "failures", decode: count(&r.health.failures)},
		}},
		{name: "wait_for", decode: conditions(&r.waitFor), items: conditionFields(&rawCondition{})},
		{name: "hooks", sub: []field{
			hook("pre_start", &r.hooks.preStart),
			hook("post_start", &r.hooks.postStart),
			hook("pre_stop", &r.hooks.preStop),
			hook("post_stop", &r.hooks.postStop),
		}},
		{name: "watch", decode: boolean(&r.watch)},
	}
}

func conditionFields(c *rawCondition) []field {
	return []field{
		{name: "tcp", decode: str(&c.tcp)},
		{name: "file", decode: str(&c.file)},
		{name: "http", decode: str(&c.http)},
		{name: "timeout", decode: duration(&c.timeout)},
	}
}

// command decodes a command line, which must be a list: there is no shell
// to split a string.
func command(p *val[[]val[string]]) decodeFunc {
	list := strList(p)
	return func(d *decoder, key string, n *yaml.Node) {
		if m := deref(n); m.Kind == yaml.ScalarNode && !isNull(m) {
			p.line, p.bad = m.Line, true
			d.ps.add(m.Line, key, "expected a list such as [bin/check, --quick], got %s (there is no shell to split it)", describe(m))
			return
		}
		list(d, key, n)
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

// alt is one of mutually exclusive keys.
type alt struct {
	name string
	v    val[string]
	cmd  val[[]val[string]] // for health.command
}

func (a alt) present() bool { return a.v.set || a.v.bad || a.cmd.set || a.cmd.bad }
func (a alt) line() int     { return max(a.v.line, a.cmd.line) }

// oneOf reports unless exactly one of alts is present. line is where to
// report that none is; quiet leaves that out (a misspelled key was
// reported already).
func (rs *resolver) oneOf(key string, line int, quiet bool, alts []alt) bool {
	names := make([]string, len(alts))
	var present []alt
	for i, a := range alts {
		names[i] = a.name
		if a.present() {
			present = append(present, a)
		}
	}
	switch len(present) {
	case 0:
		if !quiet {
			rs.ps.add(line, key, "one of %s is required", orList(names))
		}
		return false
	case 1:
		return true
	}
	for _, a := range present[1:] {
		rs.ps.add(a.line(), joinKey(key, a.name), "only one of %s may be set (%s is set at line %d)",
			orList(names), present[0].name, present[0].line())
	}
	return false
}

// health resolves the health section.
func (rs *resolver) health(r *rawHealth) Health {
	out := Health{
		Interval:    or(r.interval, defaultHealthInterval),
		Timeout:     or(r.timeout, defaultHealthTimeout),
		StartPeriod: or(r.startPeriod, 0),
		Failures:    or(r.failures, defaultHealthFailures),
	}
	rs.positive(r.interval, "health.interval")
	rs.positive(r.timeout, "health.timeout")
	if r.failures.set && r.failures.v < 1 {
		rs.ps.add(r.failures.line, "health.failures", "must be at least 1, got %d", r.failures.v)
	}
	alts := []alt{{name: "http", v: r.http}, {name: "tcp", v: r.tcp}, {name: "command", cmd: r.command}}
	used := alts[0].present() || alts[1].present() || alts[2].present() ||
		written(r.interval) || written(r.timeout) || written(r.startPeriod) || written(r.failures)
	if used && rs.oneOf("health", r.line, false, alts) {
		out.HTTP = rs.httpURL(r.http, "health.http")
		out.TCP = rs.address(r.tcp, "health.tcp")
		out.Command = rs.command(r.command, "health.command")
	}
	return out
}

// waitFor resolves the wait_for items.
func (rs *resolver) waitFor(items []*rawCondition) []Condition {
	out := make([]Condition, 0, len(items))
	for _, c := range items {
		key := c.key
		cond := Condition{Timeout: or(c.timeout, defaultConditionTimeout)}
		rs.positive(c.timeout, key+".timeout")
		alts := []alt{{name: "tcp", v: c.tcp}, {name: "file", v: c.file}, {name: "http", v: c.http}}
		if rs.oneOf(key, c.line, c.noisy, alts) {
			cond.TCP = rs.address(c.tcp, key+".tcp")
			cond.HTTP = rs.httpURL(c.http, key+".http")
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

// hooks resolves the hooks section.
func (rs *resolver) hooks(r *rawHooks) Hooks {
	hook := func(h *rawHook, key string) Hook {
		rs.positive(h.timeout, key+".timeout")
		if !written(h.command) && written(h.timeout) {
			rs.ps.add(h.line, key, "command is required (the hook's program and arguments, as a list)")
		}
		return Hook{Command: rs.command(h.command, key+".command"), Timeout: or(h.timeout, defaultHookTimeout)}
	}
	return Hooks{
		PreStart:  hook(&r.preStart, "hooks.pre_start"),
		PostStart: hook(&r.postStart, "hooks.post_start"),
		PreStop:   hook(&r.preStop, "hooks.pre_stop"),
		PostStop:  hook(&r.postStop, "hooks.post_stop"),
	}
}

// written reports whether a key was given a value, valid or not.
func written[T any](v val[T]) bool { return v.set || v.bad }

// positive reports a set duration that is not more than 0.
func (rs *resolver) positive(v val[time.Duration], key string) {
	if v.set && v.v <= 0 {
		rs.ps.add(v.line, key, "must be more than 0")
	}
}

// command expands a command list and resolves its program like executable.
// nil means none.
func (rs *resolver) command(v val[[]val[string]], key string) []string {
	if !v.set {
		return nil
	}
	if len(v.v) == 0 {
		rs.ps.add(v.line, key, "must not be empty (list the program and its arguments)")
		return nil
	}
	out := make([]string, len(v.v))
	ok0 := false
	for i, a := range v.v {
		var ok bool
		out[i], ok = rs.expand(a, fmt.Sprintf("%s[%d]", key, i))
		ok0 = ok0 || (i == 0 && ok)
	}
	switch first := v.v[0]; {
	case !ok0:
	case out[0] == "":
		rs.ps.add(first.line, key+"[0]", "must not be empty (the program to run)")
	default:
		exe, err := findExecutable(out[0], rs.base)
		if err != nil {
			rs.ps.add(first.line, key+"[0]", "%v", err)
		}
		out[0] = exe
	}
	return out
}

// httpURL expands and checks an http(s) URL.
func (rs *resolver) httpURL(v val[string], key string) string {
	s, ok := rs.expand(v, key)
	if !ok {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		rs.ps.add(v.line, key, "invalid URL %q: want http:// or https:// and a host, e.g. http://127.0.0.1:8080/health", s)
		return ""
	}
	return s
}

// address expands and checks a host:port.
func (rs *resolver) address(v val[string], key string) string {
	s, ok := rs.expand(v, key)
	if !ok {
		return ""
	}
	host, port, err := net.SplitHostPort(s)
	n, perr := strconv.Atoi(port)
	if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
		rs.ps.add(v.line, key, "invalid address %q: want host:port with a port from 1 to 65535, e.g. 127.0.0.1:8080 or [::1]:8080", s)
		return ""
	}
	return s
}
