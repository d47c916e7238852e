package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the .golden and .err files under testdata/config")

// testEnv is the process environment the golden tests see, so that their
// output does not depend on the machine.
var testEnv = map[string]string{
	"HOME_DIR": "home/svc",
	"LEVEL":    "debug",
	"PORT":     "8080",
}

func testOptions() Options {
	return Options{DefaultName: "fallback", LookupEnv: mapEnv(testEnv)}
}

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// goldenFiles lists dir/*.yaml; it fails the test when there are none, so a
// moved directory cannot make the test pass vacuously.
func goldenFiles(t *testing.T, dir string, atLeast int) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "config", dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < atLeast {
		t.Fatalf("found %d files in testdata/config/%s, want at least %d", len(files), dir, atLeast)
	}
	return files
}

// placeholders replaces the absolute directory of a test file with $BASE
// and, on Windows, backslashes with slashes, so that expected output is the
// same on every machine. Only text that contains the directory is touched:
// other backslashes (NT AUTHORITY\LocalService) are data.
func placeholders(s, base string) string {
	if !strings.Contains(s, base) {
		return s
	}
	s = strings.ReplaceAll(s, base, "$BASE")
	if runtime.GOOS == "windows" {
		s = strings.ReplaceAll(s, `\`, "/")
	}
	return s
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./config -run %s -update to create it)", err, t.Name())
	}
	// A checkout may have turned the expected files' line ends into CRLF.
	if want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n")); !bytes.Equal(got, want) {
		t.Errorf("%s mismatch\n--- got\n%s\n--- want\n%s", filepath.Base(path), got, want)
	}
}

// unixOnly are the golden configurations whose outcome differs on Windows,
// by directory and name, with why; unit tests cover their Windows side.
var unixOnly = map[string]string{
	"valid/account":              "Windows refuses user and group (TestUserRules)",
	"invalid/group-without-user": "Windows refuses group alone (TestUserRules)",
	"invalid/user-unit-conflict": "Windows refuses user (TestUserRules)",
}

// skipOnWindows skips the test of a file in unixOnly on Windows.
func skipOnWindows(t *testing.T, dir, file string) {
	t.Helper()
	if why, ok := unixOnly[dir+"/"+strings.TrimSuffix(filepath.Base(file), ".yaml")]; ok && runtime.GOOS == "windows" {
		t.Skip(why)
	}
}

func TestValidGolden(t *testing.T) {
	for _, file := range goldenFiles(t, "valid", 10) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			skipOnWindows(t, "valid", file)
			c, err := Load(file, testOptions())
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			abs, _ := filepath.Abs(file)
			if c.File != abs || c.BaseDir != filepath.Dir(abs) {
				t.Errorf("File, BaseDir = %q, %q; want %q, %q", c.File, c.BaseDir, abs, filepath.Dir(abs))
			}
			checkAbsolute(t, c)
			b, err := json.MarshalIndent(view(reflect.ValueOf(*c), c.BaseDir), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, strings.TrimSuffix(file, ".yaml")+".golden", append(b, '\n'))
		})
	}
}

// checkAbsolute asserts the documented normalisation: every path absolute.
func checkAbsolute(t testing.TB, c *Config) {
	t.Helper()
	paths := map[string]string{
		"WorkingDirectory": c.WorkingDirectory, "Log.Dir": c.Log.Dir, "Log.Stdout": c.Log.Stdout,
		"Log.Stderr": c.Log.Stderr, "Log.Wrapper": c.Log.Wrapper,
	}
	if c.EnvFile != "" {
		paths["EnvFile"] = c.EnvFile
	}
	if hasPathSep(c.Executable) {
		paths["Executable"] = c.Executable
	}
	for k, p := range paths {
		if !filepath.IsAbs(p) || filepath.Clean(p) != p {
			t.Errorf("%s = %q, want a clean absolute path", k, p)
		}
	}
}

func TestInvalidGolden(t *testing.T) {
	for _, file := range goldenFiles(t, "invalid", 30) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			skipOnWindows(t, "invalid", file)
			c, err := Load(file, testOptions())
			if err == nil {
				t.Fatalf("Load succeeded, want an error; config: %+v", c)
			}
			if c != nil {
				t.Errorf("Load returned a config with an error")
			}
			checkProblems(t, err)
			abs, _ := filepath.Abs(file)
			got := placeholders(err.Error(), filepath.Dir(abs)) + "\n"
			checkGolden(t, strings.TrimSuffix(file, ".yaml")+".err", []byte(got))
		})
	}
}

// checkProblems asserts that err is an errors.Join of *Problem values whose
// Error text is "file[:line]: [key: ]message".
func checkProblems(t testing.TB, err error) []*Problem {
	t.Helper()
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %T is not an errors.Join: %v", err, err)
	}
	var out []*Problem
	for _, e := range joined.Unwrap() {
		var p *Problem
		if !errors.As(e, &p) || e != error(p) {
			t.Fatalf("joined error %T is not a *Problem: %v", e, e)
		}
		if p.File == "" || p.Msg == "" || p.Line < 0 {
			t.Errorf("incomplete problem %#v", p)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		t.Fatalf("empty join")
	}
	return out
}

// field is one JSON object member in declaration order.
type member struct {
	name  string
	value any
}

// object marshals as a JSON object keeping the struct's field order, which
// keeps golden files readable.
type object []member

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.name)
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// view converts a Config into JSON-friendly values: structs become ordered
// objects, durations their String form, nil slices empty lists, and strings
// get placeholders for base.
func view(v reflect.Value, base string) any {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		return time.Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.Struct:
		var o object
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				o = append(o, member{v.Type().Field(i).Name, view(v.Field(i), base)})
			}
		}
		return o
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = view(v.Index(i), base)
		}
		return out
	case reflect.String:
		return placeholders(v.String(), base)
	}
	return v.Interface()
}
