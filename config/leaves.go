package config

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// valueFunc decodes one dereferenced node (null only as a list element),
// reporting problems itself and returning false on failure.
type valueFunc[T any] func(d *decoder, key string, n *yaml.Node) (T, bool)

// leaf does what every leaf decoder shares: record the line, treat null as
// "not set" (so that `restart:` with every sub-key commented out, or
// `delay: ~`, means the default), and mark the value bad on failure.
func leaf[T any](p *val[T], decode valueFunc[T]) decodeFunc {
	return func(d *decoder, key string, n *yaml.Node) {
		m := deref(n)
		p.line = m.Line
		if isNull(m) {
			return
		}
		v, ok := decode(d, key, m)
		if !ok {
			p.bad = true
			return
		}
		p.v, p.set = v, true
	}
}

// list decodes a sequence whose elements decode with elem; want names the
// element type in messages ("strings"). elem reports null elements as
// errors.
func list[T any](p *val[[]val[T]], want string, elem valueFunc[T]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) ([]val[T], bool) {
		if n.Kind != yaml.SequenceNode {
			d.ps.add(n.Line, key, "expected a list of %s, got %s", want, describe(n))
			return nil, false
		}
		out := make([]val[T], 0, len(n.Content))
		ok := true
		for i, e := range n.Content {
			e = deref(e)
			v, good := elem(d, fmt.Sprintf("%s[%d]", key, i), e)
			ok = ok && good
			out = append(out, val[T]{v: v, line: e.Line, set: good})
		}
		return out, ok
	})
}

// asString accepts any plain scalar as text: `8080` in arguments or env is
// meant as the string "8080", not a type error.
func asString(d *decoder, key string, n *yaml.Node) (string, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
			if strings.ContainsRune(n.Value, 0) {
				d.ps.add(n.Line, key, "must not contain a NUL character")
				return "", false
			}
			return n.Value, true
		}
	}
	d.ps.add(n.Line, key, "expected a string, got %s", describe(n))
	return "", false
}

func str(p *val[string]) decodeFunc { return leaf(p, asString) }

func strList(p *val[[]val[string]]) decodeFunc { return list(p, "strings", asString) }

func asInt(d *decoder, key string, n *yaml.Node) (int64, bool) {
	var v int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.ps.add(n.Line, key, "expected a whole number, got %s", describe(n))
		return 0, false
	}
	if err := n.Decode(&v); err != nil {
		d.ps.add(n.Line, key, "invalid whole number %q", n.Value)
		return 0, false
	}
	return v, true
}

// count decodes a non-negative count such as max_failures.
func count(p *val[int]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (int, bool) {
		v, ok := asInt(d, key, n)
		switch {
		case !ok:
		case v < 0:
			d.ps.add(n.Line, key, "must not be negative, got %d", v)
		case v > math.MaxInt32:
			d.ps.add(n.Line, key, "too large, got %d", v)
		default:
			return int(v), true
		}
		return 0, false
	})
}

// maxExitCode is the largest exit code: Windows exit codes are 32-bit
// unsigned and Go reports them as such (0xC0000005 is 3221225477). On
// 32-bit platforms the int range caps it.
const maxExitCode = min(math.MaxUint32, math.MaxInt)

func exitCode(d *decoder, key string, n *yaml.Node) (int, bool) {
	v, ok := asInt(d, key, n)
	if ok && (v < 0 || v > maxExitCode) {
		d.ps.add(n.Line, key, "exit code %d out of range 0..%d", v, int64(maxExitCode))
		return 0, false
	}
	return int(v), ok
}

// exitCodes decodes a list of exit codes, rejecting repeats.
func exitCodes(p *val[[]val[int]]) decodeFunc {
	return func(d *decoder, key string, n *yaml.Node) {
		seen := map[int]bool{}
		list(p, "exit codes", func(d *decoder, key string, n *yaml.Node) (int, bool) {
			c, ok := exitCode(d, key, n)
			if ok && seen[c] {
				d.ps.add(n.Line, key, "duplicate exit code %d", c)
				return 0, false
			}
			seen[c] = true
			return c, ok
		})(d, key, n)
	}
}

func boolean(p *val[bool]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (bool, bool) {
		var v bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
			d.ps.add(n.Line, key, "expected true or false, got %s", describe(n))
			return false, false
		}
		return v, true
	})
}

func asDuration(d *decoder, key string, n *yaml.Node) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || !slices.Contains([]string{"!!str", "!!int", "!!float"}, n.ShortTag()) {
		d.ps.add(n.Line, key, "expected a duration such as 30s, got %s", describe(n))
		return 0, false
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		d.ps.add(n.Line, key, "%v", err)
		return 0, false
	}
	return v, true
}

func duration(p *val[time.Duration]) decodeFunc { return leaf(p, asDuration) }

func durationList(p *val[[]val[time.Duration]]) decodeFunc {
	return list(p, "durations", asDuration)
}

func size(p *val[int64]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (int64, bool) {
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
			d.ps.add(n.Line, key, "expected a size such as 10MB, got %s", describe(n))
			return 0, false
		}
		v, err := parseSize(n.Value)
		if err == nil && v < minSize {
			err = fmt.Errorf("size %s is too small (minimum 1KB)", n.Value)
		}
		if err != nil {
			d.ps.add(n.Line, key, "%v", err)
			return 0, false
		}
		return v, true
	})
}

// enum decodes one of allowed, after the optional norm rewrite.
func enum(p *val[string], allowed []string, norm func(string) string) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (string, bool) {
		s, ok := asString(d, key, n)
		if !ok {
			return "", false
		}
		if norm != nil {
			s = norm(s)
		}
		if !slices.Contains(allowed, s) {
			d.ps.add(n.Line, key, "invalid value %q: want %s%s", n.Value, orList(allowed), suggest(n.Value, allowed, nil))
			return "", false
		}
		return s, true
	})
}

// orList renders [a b c] as "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
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
