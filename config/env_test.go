package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	data := "\ufeff# comment\n" +
		"\n" +
		"A=1\r\n" +
		"export B=two words\n" +
		"exportC=3\n" +
		"export=4\n" +
		"  D = spaced  \n" +
		"E=\"double # kept\"  # comment\n" +
		"F='single $X \\n'\n" +
		"G=a#b\n" +
		"H=value # comment\n" +
		"I=value\t# comment\n" +
		"J= # only a comment\n" +
		"K=\n" +
		"L=x=y\n" +
		"M=\"\"\n" +
		"N=C:\\dir\\new\n" +
		"\tO=tab\n"
	got, errs := parseEnvFile([]byte(data))
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []envLine{
		{"A", "1", 3}, {"B", "two words", 4}, {"exportC", "3", 5}, {"export", "4", 6},
		{"D", "spaced", 7}, {"E", "double # kept", 8}, {"F", `single $X \n`, 9},
		{"G", "a#b", 10}, {"H", "value", 11}, {"I", "value", 12}, {"J", "", 13},
		{"K", "", 14}, {"L", "x=y", 15}, {"M", "", 16}, {"N", `C:\dir\new`, 17},
		{"O", "tab", 18},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseEnvFile:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseEnvFileErrors(t *testing.T) {
	tests := []struct{ line, err string }{
		{"JUSTTEXT", "expected KEY=VALUE"},
		{"=value", `invalid variable name ""`},
		{"A B=1", `invalid variable name "A B"`},
		{`Q="open`, "Q: unterminated quoted value"},
		{`Q='open"`, "Q: unterminated quoted value"},
		{`Q="a" b`, "Q: unexpected text after the closing quote"}, // b may be part of a secret
		{"Q=a\x00b", "Q: value must not contain a NUL character"},
	}
	for _, tt := range tests {
		entries, errs := parseEnvFile([]byte("OK=1\n" + tt.line + "\nOK2=2\n"))
		if len(entries) != 2 || len(errs) != 1 {
			t.Errorf("%q: %d entries, %d errors; want 2 and 1", tt.line, len(entries), len(errs))
			continue
		}
		if errs[0].line != 2 || !strings.HasPrefix(errs[0].err.Error(), tt.err) {
			t.Errorf("%q: error at line %d %q, want line 2 %q...", tt.line, errs[0].line, errs[0].err, tt.err)
		}
	}
}

func TestMergeEnv(t *testing.T) {
	tests := []struct {
		base, add, want []string
		fold            bool
	}{
		{nil, nil, []string{}, false},
		{[]string{"A=1", "B=2"}, []string{"B=3", "C=4"}, []string{"A=1", "B=3", "C=4"}, false},
		{[]string{"A=1"}, []string{"C=1", "C=2"}, []string{"A=1", "C=2"}, false},
		{[]string{"Path=x"}, []string{"PATH=y"}, []string{"Path=x", "PATH=y"}, false},
		{[]string{"Path=x"}, []string{"PATH=y"}, []string{"PATH=y"}, true},
		{[]string{"=C:=C:\\dir", "A=1"}, []string{"=D:=D:\\"}, []string{"=C:=C:\\dir", "A=1", "=D:=D:\\"}, true},
		{[]string{"NOVALUE", "A=1"}, []string{"NOVALUE=x"}, []string{"NOVALUE=x", "A=1"}, false},
	}
	for _, tt := range tests {
		base := append([]string(nil), tt.base...)
		got := mergeEnv(tt.base, tt.add, tt.fold)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("mergeEnv(%q, %q, %v) = %q, want %q", tt.base, tt.add, tt.fold, got, tt.want)
		}
		if !reflect.DeepEqual(base, tt.base) {
			t.Errorf("mergeEnv modified base: %q", tt.base)
		}
	}
}

func TestEnviron(t *testing.T) {
	c := &Config{Env: []string{"A=new", "Z=26"}}
	got := c.Environ([]string{"a=lower", "A=old", "B=2"})
	want := []string{"a=lower", "A=new", "B=2", "Z=26"}
	if runtime.GOOS == "windows" {
		want = []string{"A=new", "B=2", "Z=26"} // a and A are one variable
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Environ = %q, want %q", got, want)
	}
}

// With Windows semantics, env keys differing only in case are duplicates,
// and expansion finds names regardless of case.
func TestParseFoldedEnv(t *testing.T) {
	dir := t.TempDir()
	writeExe(t, dir+"/app.exe")
	yml := "executable: app.exe\nenv:\n  Path: a\n  PATH: b\n  X: ${path}\n"
	_, err := parse(dir+"/w.yaml", []byte(yml), Options{DefaultName: "w", LookupEnv: mapEnv(nil)}, true)
	ps := checkProblems(t, err)
	if len(ps) != 1 || ps[0].Line != 4 || ps[0].Key != "env.PATH" ||
		ps[0].Msg != "duplicate key (first defined at line 3) (names are case-insensitive on Windows)" {
		t.Errorf("got %v", err)
	}
	c, err := parse(dir+"/w.yaml", []byte("executable: app.exe\nenv:\n  Path: a\n  X: ${PATH}\n"), Options{DefaultName: "w", LookupEnv: mapEnv(nil)}, true)
	if err != nil || fmt.Sprint(c.Env) != "[Path=a X=a]" {
		t.Errorf("got %v, %v", c, err)
	}
	if _, err := parse(dir+"/w.yaml", []byte("executable: app.exe\nenv:\n  Path: a\n  X: ${PATH}\n"), Options{DefaultName: "w", LookupEnv: mapEnv(nil)}, false); err == nil || !strings.Contains(err.Error(), "undefined variable ${PATH}") {
		t.Errorf("case-sensitive lookup: got %v", err)
	}
}

// TestErrorsMaskEnvValues: every mistake in env-secret-values.yaml and its
// env_file is inside a value holding "s3cr3t"; each is reported under its
// key and none quotes the value.
func TestErrorsMaskEnvValues(t *testing.T) {
	file := filepath.Join("..", "testdata", "config", "invalid", "env-secret-values.yaml")
	_, err := Load(file, testOptions())
	if err == nil {
		t.Fatal("Load succeeded")
	}
	var got []string
	for _, p := range checkProblems(t, err) {
		got = append(got, p.Key+": "+p.Msg)
		if strings.Contains(p.Error(), "s3cr3t") {
			t.Errorf("problem quotes a value: %v", p)
		}
	}
	for _, want := range []string{"env.UNTERMINATED: ", "env.BAD_REFERENCE: ", "env.BARE_DOLLAR: ",
		"env.UNDEFINED: ", "env.NUL: ", "env_file: TRAILING: ", "env_file: UNTERMINATED: "} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no problem starts with %q; got %q", want, got)
		}
	}
}

func TestMaskEnv(t *testing.T) {
	got := MaskEnv([]string{"A=secret", "EMPTY=", "=C:=C:\\dir", "B=x=y"})
	want := []string{"A=***", "EMPTY=***", "=C:=***", "B=***"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MaskEnv = %q, want %q", got, want)
	}
}
