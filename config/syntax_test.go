package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSyntaxErrorLines pins the line and message of YAML syntax errors.
// yaml.v3 prints the line of a parser error 0-based, and leaves it out
// when the enclosing [ or { is on the first line; the golden files cover
// the common cases, these the edges.
func TestSyntaxErrorLines(t *testing.T) {
	const listHint = "did not find expected ',' or ']' (in the list opened by [ on this line)"
	tests := []struct {
		name, yaml string
		line       int
		msg        string
	}{
		{"[ on line 2", "executable: x\narguments: [--a, --b\nrestart:\n  delay: 1s\n", 2, listHint},
		{"[ on line 1", "arguments: [--a, --b\nrestart:\n  delay: 1s\n", 1, listHint},
		{"[ on line 1, end of file", "arguments: [--a, --b\n", 1, listHint},
		{"[ after a byte order mark", "\ufeffarguments: [--a, --b\nrestart:\n  delay: 1s\n", 1, listHint},
		{"[ spanning lines", "executable: x\narguments: [\n  --a,\n  --b\nwatch: true\n", 2, listHint},
		{"{ on line 3", "a: 1\nb: 2\nenv: {A: 1\nrestart:\n  delay: 1s\n", 3,
			"did not find expected ',' or '}' (in the mapping opened by { on this line)"},
		{"[ in the second document", "executable: x\n---\narguments: [a\n", 3, listHint},
		{"tab before a key", "executable: x\nrestart:\n\tdelay: 1s\n", 3, tabProblem},
		{"tab before a list item", "executable: x\narguments:\n\t- a\n", 3, tabProblem},
		{"tab after spaces", "executable: x\nrestart:\n  \tdelay: 1s\n", 3, tabProblem},
		{"tab below a value", "executable: x\nrestart:\n  delay: 1s\n\tpolicy: never\n", 4, tabProblem},
		{"tab in a flow mapping, other mistake", "executable: x\nenv: {\n\tA: \"open\n", 3, "found unexpected end of stream"},
		{"unclosed quote on line 1", "executable: 'abc\n", 1, "found unexpected end of stream"},
		{"value where a key belongs", "executable: x\n  bad: y\n", 2, "mapping values are not allowed in this context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(t.TempDir(), "svc.yaml"), []byte(tt.yaml), testOptions())
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			var ps []*Problem // the first document of two is still checked
			for _, p := range checkProblems(t, err) {
				if strings.HasPrefix(p.Msg, "invalid YAML: ") {
					ps = append(ps, p)
				}
			}
			want := "invalid YAML: " + tt.msg
			if len(ps) != 1 || ps[0].Line != tt.line || ps[0].Msg != want || ps[0].Key != "" {
				t.Errorf("problems:\n%v\nwant one at line %d: %s", err, tt.line, want)
			}
		})
	}
}

// TestLineAhead: the empty line goes after a byte order mark, in its
// encoding, so that yaml.v3 still recognises the mark.
func TestLineAhead(t *testing.T) {
	for in, want := range map[string]string{
		"a: 1":             "\na: 1",
		"\xef\xbb\xbfa: 1": "\xef\xbb\xbf\na: 1",
		"\xff\xfea\x00":    "\xff\xfe\n\x00a\x00",
		"\xfe\xff\x00a":    "\xfe\xff\x00\n\x00a",
		"":                 "\n",
		"\t- a\n":          "\n\t- a\n",
	} {
		if got := string(lineAhead([]byte(in))); got != want {
			t.Errorf("lineAhead(%q) = %q, want %q", in, got, want)
		}
		if strings.HasPrefix(in, "\xff") || strings.HasPrefix(in, "\xfe") {
			if err := firstError(lineAhead([]byte(in))); err != nil {
				t.Errorf("UTF-16 %q with a line ahead: %v", in, err)
			}
		}
	}
}
