package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// resolver turns a decoded raw config into a Config, adding problems.
type resolver struct {
	ps   *problems
	x    *expander
	base string
	fold bool
	// windows allows what only the Windows service manager does (run and
	// reboot recovery actions). parse's fold argument is exactly "Windows
	// semantics", so it sets both.
	windows bool
}

// or returns v's value if set, else def.
func or[T any](v val[T], def T) T {
	if v.set {
		return v.v
	}
	return def
}

// values drops the lines of a decoded list.
func values[T any](vs []val[T]) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = v.v
	}
	return out
}

// singleLine checks a free-text value that ends up in service manager
// fields and systemd unit lines, where a line break would inject a line.
func (rs *resolver) singleLine(v val[string], key string, maxLen int) bool {
	switch {
	case strings.IndexFunc(v.v, unicode.IsControl) >= 0:
		rs.ps.add(v.line, key, "must be a single line without control characters")
	case len(v.v) > maxLen:
		rs.ps.add(v.line, key, "too long (%d bytes, at most %d)", len(v.v), maxLen)
	default:
		return true
	}
	return false
}

// expand expands a set value, reporting failures under key.
func (rs *resolver) expand(v val[string], key string) (string, bool) {
	if !v.set {
		return "", false
	}
	s, err := rs.x.expand(v.v)
	if err != nil {
		rs.ps.add(v.line, key, "%v", err)
		return "", false
	}
	return s, true
}

// expandMasked is expand for env values, which are often secrets: a
// failure is reported under key without any of the value's text.
func (rs *resolver) expandMasked(v val[string], key string) (string, bool) {
	if !v.set {
		return "", false
	}
	s, err := rs.x.expand(v.v)
	if err != nil {
		msg := "cannot expand the value"
		var e *expandError
		if errors.As(err, &e) {
			msg = e.masked
		}
		rs.ps.add(v.line, key, "%s", msg)
		return "", false
	}
	return s, true
}

// path expands a set value and makes it absolute against dir.
func (rs *resolver) path(v val[string], key, dir string) (string, bool) {
	s, ok := rs.expand(v, key)
	if !ok {
		return "", false
	}
	if s == "" {
		rs.ps.add(v.line, key, "must not be empty (remove the key to get the default)")
		return "", false
	}
	p, err := absPath(dir, s)
	if err != nil {
		rs.ps.add(v.line, key, "%v", err)
		return "", false
	}
	return p, true
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
