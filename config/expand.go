package config

import (
	"fmt"
	"strings"
)

// expander expands ${VAR} and %VAR% references. A name is looked up in
// order: BASE and NAME, the env_file and env entries defined so far, then
// the process environment.
type expander struct {
	fold      bool                        // names are case-insensitive (Windows)
	builtin   map[string]string           // BASE, NAME
	defined   map[string]string           // env_file and env entries so far
	lookupEnv func(string) (string, bool) // the process environment
}

func newExpander(base, name string, fold bool, lookupEnv func(string) (string, bool)) *expander {
	x := &expander{fold: fold, defined: map[string]string{}, lookupEnv: lookupEnv}
	x.builtin = map[string]string{foldKey("BASE", fold): base, foldKey("NAME", fold): name}
	return x
}

// define makes name visible to later expansions.
func (x *expander) define(name, value string) {
	x.defined[foldKey(name, x.fold)] = value
}

func (x *expander) lookup(name string) (string, bool) {
	k := foldKey(name, x.fold)
	if v, ok := x.builtin[k]; ok {
		return v, true
	}
	if v, ok := x.defined[k]; ok {
		return v, true
	}
	return x.lookupEnv(name)
}

// expand replaces ${NAME} (undefined is an error), %NAME% and $$ (a
// literal $). %NAME% is replaced only when NAME is defined; any other % is
// kept as written, as cmd.exe keeps undefined variables, so "100%" needs no
// escape. A $ directly followed by a name ($HOME) is an error rather than
// silently literal: it is almost always a forgotten pair of braces.
// Substituted values are not expanded again.
func (x *expander) expand(s string) (string, error) {
	if !strings.ContainsAny(s, "$%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", &expandError{fmt.Sprintf("unterminated ${ in %q (missing })", s),
					"unterminated ${ (missing })"}
			}
			name := s[i+2 : i+end]
			if !isIdent(name) {
				const rule = "(only ${NAME} with letters, digits and _ is supported; write $$ for a literal $)"
				return "", &expandError{fmt.Sprintf("invalid reference ${%s} %s", name, rule),
					"invalid reference " + rule}
			}
			v, ok := x.lookup(name)
			if !ok {
				// The name is kept even for an env value: it names a
				// variable, not the value's own text.
				msg := fmt.Sprintf("undefined variable ${%s}", name)
				return "", &expandError{msg, msg}
			}
			b.WriteString(v)
			i += end + 1
		case s[i] == '$' && i+1 < len(s) && isIdentStart(s[i+1]):
			n := 1
			for i+1+n < len(s) && isIdentChar(s[i+1+n]) {
				n++
			}
			return "", &expandError{fmt.Sprintf("$%s is not expanded: write ${%[1]s}, or $$ for a literal $", s[i+1:i+1+n]),
				"a $ followed by a name is not expanded: write ${NAME}, or $$ for a literal $"}
		case s[i] == '%':
			if v, n, ok := x.percent(s[i:]); ok {
				b.WriteString(v)
				i += n
				continue
			}
			b.WriteByte('%')
			i++
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// expandError is a failed expansion. Its message quotes the text around
// the mistake; masked says the same without any of that text, for env
// values, which are often secrets.
type expandError struct{ msg, masked string }

func (e *expandError) Error() string { return e.msg }

// percent expands a %NAME% at the start of s, returning the value and the
// length consumed; ok is false when there is no defined variable there.
func (x *expander) percent(s string) (v string, n int, ok bool) {
	end := strings.IndexByte(s[1:], '%')
	if end <= 0 {
		return "", 0, false
	}
	name := s[1 : end+1]
	if checkEnvName(name) != nil {
		return "", 0, false
	}
	v, ok = x.lookup(name)
	return v, end + 2, ok
}

func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || ('0' <= c && c <= '9') }
