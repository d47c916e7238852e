package migrate

import (
	"slices"
	"testing"
)

// splitCases are command-line tails and the argv the C runtime makes of
// them; cmdline_windows_test.go checks each against CommandLineToArgvW.
var splitCases = []struct {
	line string
	want []string
}{
	{"", nil},
	{"   \t ", nil},
	{"a b  c", []string{"a", "b", "c"}},
	{"\ta\tb\t", []string{"a", "b"}},
	{`"a b" c`, []string{"a b", "c"}},
	{`a"b c"d e`, []string{"ab cd", "e"}},
	{`""`, []string{""}},
	{`a "" b`, []string{"a", "", "b"}},
	{`C:\dir\file.txt`, []string{`C:\dir\file.txt`}},
	{`"C:\Program Files\x\" y`, []string{`C:\Program Files\x" y`}},
	{`"C:\Program Files\x\\" y`, []string{`C:\Program Files\x\`, "y"}},
	{`a\"b`, []string{`a"b`}},
	{`a\\"b c"`, []string{`a\b c`}},
	{`a\\\"b`, []string{`a\"b`}},
	{`a\\\\"b"`, []string{`a\\b`}},
	{`a\\b`, []string{`a\\b`}},
	{`trailing\\`, []string{`trailing\\`}},
	{`"a""b"`, []string{`a"b`}},
	{`"a""b c"`, []string{`a"b`, "c"}},
	{`"a"""`, []string{`a"`}},
	{`"unterminated arg`, []string{"unterminated arg"}},
	{`--label "a \"quoted\" word"`, []string{"--label", `a "quoted" word`}},
	{`-Dx=%VAR% "%BASE%\x"`, []string{"-Dx=%VAR%", `%BASE%\x`}},
	{"ü ünïcode €", []string{"ü", "ünïcode", "€"}},
}

func TestSplitArgs(t *testing.T) {
	for _, tt := range splitCases {
		if got := SplitArgs(tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// commandCases are whole command lines (NSSM hooks) and their argv.
var commandCases = []struct {
	line string
	want []string
}{
	{"", nil},
	{`prog`, []string{"prog"}},
	{`  prog a b`, []string{"prog", "a", "b"}},
	{`C:\tools\x.exe "a b"`, []string{`C:\tools\x.exe`, "a b"}},
	{`"C:\Program Files\x\x.exe" --flag`, []string{`C:\Program Files\x\x.exe`, "--flag"}},
	{`"C:\dir\\" a`, []string{`C:\dir\\`, "a"}},
	{`"C:\no end`, []string{`C:\no end`}},
	{`a\"b c`, []string{`a\"b`, "c"}},
}

func TestSplitCommand(t *testing.T) {
	for _, tt := range commandCases {
		if got := SplitCommand(tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("SplitCommand(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
