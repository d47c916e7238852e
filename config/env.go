package config

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"
)

// masked stands for the value of an env or env_file entry wherever the
// wrapper shows one (validate --print): values are often secrets. Error
// messages about an entry name its key and never quote its value.
const masked = "***"

// MaskEnv returns KEY=VALUE entries (Config.Env) with every value replaced
// by "***", for printing: values are often secrets.
func MaskEnv(entries []string) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = envKey(e) + "=" + masked
	}
	return out
}

// foldEnv reports whether environment names are case-insensitive here, as
// they are on Windows (Path and PATH are one variable).
var foldEnv = runtime.GOOS == "windows"

// Environ returns base (typically os.Environ()) with c.Env applied: a key
// already in base is replaced in place, a new key is appended. Names compare
// case-insensitively on Windows. base is not modified.
func (c *Config) Environ(base []string) []string {
	return mergeEnv(base, c.Env, foldEnv)
}

// mergeEnv applies the KEY=VALUE entries of add to base: a key keeps its
// first position and takes the last value.
func mergeEnv(base, add []string, fold bool) []string {
	out := make([]string, 0, len(base)+len(add))
	index := make(map[string]int, len(base)+len(add))
	for _, list := range [][]string{base, add} {
		for _, e := range list {
			k := foldKey(envKey(e), fold)
			if i, ok := index[k]; ok {
				out[i] = e
				continue
			}
			index[k] = len(out)
			out = append(out, e)
		}
	}
	return out
}

// envKey returns the name part of a KEY=VALUE entry. Windows keeps hidden
// per-drive variables such as "=C:=C:\dir" whose name starts with '=', so
// the separator is searched from the second byte.
func envKey(entry string) string {
	start := 0
	if strings.HasPrefix(entry, "=") {
		start = 1
	}
	if i := strings.IndexByte(entry[start:], '='); i >= 0 {
		return entry[:start+i]
	}
	return entry
}

func foldKey(k string, fold bool) string {
	if fold {
		return strings.ToUpper(k)
	}
	return k
}

// checkEnvName accepts any name the operating systems can carry: non-empty,
// without '=', NUL or white space. Windows names such as ProgramFiles(x86)
// are therefore valid.
func checkEnvName(name string) error {
	if name == "" || strings.ContainsAny(name, "=\x00 \t\r\n\v\f") {
		return fmt.Errorf("invalid variable name %q (must be non-empty, without '=' or spaces)", name)
	}
	return nil
}

// envEntry is one `env` mapping entry, in file order.
type envEntry struct {
	key   string
	value val[string]
}

// envMap decodes the `env` mapping, keeping file order. Entries that fail
// are kept with value.bad set so that references to them are not reported a
// second time as undefined.
func envMap(p *val[[]envEntry]) decodeFunc {
	return func(d *decoder, key string, n *yaml.Node) {
		m := deref(n)
		p.line = m.Line
		if isNull(m) {
			return
		}
		if m.Kind != yaml.MappingNode {
			d.ps.add(m.Line, key, "expected a mapping of names to strings, got %s", describe(m))
			p.bad = true
			return
		}
		seen := map[string]seenKey{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], deref(m.Content[i+1])
			name, ok := d.keyName(key, k)
			if !ok {
				continue
			}
			path := key + "." + name
			if err := checkEnvName(name); err != nil {
				d.ps.add(k.Line, path, "%v", err)
				continue
			}
			if first, dup := seen[foldKey(name, d.fold)]; dup {
				d.ps.add(k.Line, path, "duplicate key (first defined at line %d)%s", first.line, foldHint(d.fold && first.name != name))
				continue
			}
			seen[foldKey(name, d.fold)] = seenKey{line: k.Line, name: name}
			e := envEntry{key: name, value: val[string]{line: v.Line}}
			if isNull(v) {
				d.ps.add(v.Line, path, `expected a string, got null (write "" for an empty value)`)
				e.value.bad = true
			} else if e.value.v, e.value.set = asString(d, path, v); !e.value.set {
				e.value.bad = true
			}
			p.v = append(p.v, e)
		}
		p.set = true
	}
}

// seenKey is where an env name was first defined, as written there.
type seenKey struct {
	line int
	name string
}

// foldHint explains a duplicate that differs from the first only in case.
func foldHint(fold bool) string {
	if fold {
		return " (names are case-insensitive on Windows)"
	}
	return ""
}

// envLine is one KEY=VALUE entry of an env_file.
type envLine struct {
	key, value string
	line       int
}

// lineError is a problem on one line of an env_file.
type lineError struct {
	line int
	err  error
}

// parseEnvFile parses an env_file: KEY=VALUE lines, blank lines and
// # comments, an optional `export ` prefix, and values optionally enclosed
// in single or double quotes. Values are taken literally: no escapes and no
// ${VAR} expansion, so secrets containing $ or \ need no quoting.
func parseEnvFile(data []byte) ([]envLine, []lineError) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var entries []envLine
	var errs []lineError
	for i, text := range strings.Split(string(data), "\n") {
		k, v, ok, err := parseEnvLine(text)
		switch {
		case err != nil:
			errs = append(errs, lineError{i + 1, err})
		case ok:
			entries = append(entries, envLine{k, v, i + 1})
		}
	}
	return entries, errs
}

// parseEnvLine parses one env_file line; ok is false for blank and comment
// lines.
func parseEnvLine(s string) (key, value string, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '#' {
		return "", "", false, nil
	}
	if rest, found := strings.CutPrefix(s, "export"); found && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		s = strings.TrimLeft(rest, " \t")
	}
	key, v, found := strings.Cut(s, "=")
	if !found {
		return "", "", false, errors.New("expected KEY=VALUE")
	}
	key = strings.TrimSpace(key)
	if err := checkEnvName(key); err != nil {
		return "", "", false, err
	}
	if value, err = envValue(v); err != nil {
		return "", "", false, fmt.Errorf("%s: %w", key, err)
	}
	if strings.ContainsRune(value, 0) {
		return "", "", false, fmt.Errorf("%s: value must not contain a NUL character", key)
	}
	return key, value, true, nil
}

// envValue unquotes the text after '='. An unquoted value ends at a #
// preceded by white space (KEY=value # note); a # inside a word (pa#ss) is
// kept.
func envValue(v string) (string, error) {
	if t := strings.TrimSpace(v); t != "" && (t[0] == '"' || t[0] == '\'') {
		end := strings.IndexByte(t[1:], t[0])
		if end < 0 {
			return "", errors.New("unterminated quoted value")
		}
		if rest := strings.TrimSpace(t[end+2:]); rest != "" && rest[0] != '#' {
			// The text is not quoted: it is part of a value, often a secret.
			return "", errors.New("unexpected text after the closing quote")
		}
		return t[1 : end+1], nil
	}
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			v = v[:i]
			break
		}
	}
	return strings.TrimSpace(v), nil
}
