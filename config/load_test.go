package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	ext := ".exe"
	tests := []struct {
		name  string
		exe   string   // relative to the temp dir
		files []string // files to create
		want  string   // "" = error
	}{
		{"own name", "myapp" + ext, []string{"myapp.yaml", "wrapper.yaml"}, "myapp.yaml"},
		{"fallback", "myapp" + ext, []string{"wrapper.yaml"}, "wrapper.yaml"},
		{"no extension", "myapp", []string{"myapp.yaml"}, "myapp.yaml"},
		{"upper-case extension", "MyApp.EXE", []string{"MyApp.yaml"}, "MyApp.yaml"},
		{"dots in name", "my.app.exe", []string{"my.app.yaml"}, "my.app.yaml"},
		{"only .exe is stripped", "my.app", []string{"my.yaml", "my.app.yaml"}, "my.app.yaml"},
		{"yml is not yaml", "myapp" + ext, []string{"myapp.yml"}, ""},
		{"none", "myapp" + ext, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("executable: x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Locate(filepath.Join(dir, tt.exe))
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Locate = %q, want an error", got)
				}
				return
			}
			if err != nil || got != filepath.Join(dir, tt.want) {
				t.Errorf("Locate = %q, %v; want %q", got, err, filepath.Join(dir, tt.want))
			}
		})
	}
}

func TestLocateErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Locate(filepath.Join(dir, "myapp.exe"))
	own, def := filepath.Join(dir, "myapp.yaml"), filepath.Join(dir, "wrapper.yaml")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), own+" and "+def) {
		t.Errorf("neither file: %v; want fs.ErrNotExist naming %s and %s", err, own, def)
	}
	_, err = Locate(filepath.Join(dir, "wrapper.exe"))
	if err == nil || strings.Count(err.Error(), "wrapper.yaml") != 1 {
		t.Errorf("wrapper.exe: %v; want wrapper.yaml named once", err)
	}
	if err := os.Mkdir(own, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err = Locate(filepath.Join(dir, "myapp.exe")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	if _, err = Locate(""); err == nil {
		t.Errorf("empty path: no error")
	}
}

func TestLocateRelative(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wrapper.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	got, err := Locate("svc.exe")
	if err != nil || got != filepath.Join(dir, "wrapper.yaml") {
		t.Errorf("Locate = %q, %v; want the absolute path", got, err)
	}
}

func TestLoadReadErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing.yaml"), ": cannot read: "},
		{dir, ": cannot read: not a regular file"},
		{big, ": cannot read: larger than 1MB"},
	}
	for _, tt := range tests {
		_, err := Load(tt.path, Options{})
		ps := checkProblems(t, err)
		if len(ps) != 1 || ps[0].File != tt.path || !strings.HasPrefix(err.Error(), tt.path+tt.want) {
			t.Errorf("Load(%s) = %v; want %q", tt.path, err, tt.path+tt.want)
		}
	}
	if _, err := Load(tests[0].path, Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v is not fs.ErrNotExist", err)
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "/a/w.yaml", Line: 3, Key: "restart.delay", Msg: "bad"}, "/a/w.yaml:3: restart.delay: bad"},
		{Problem{File: "/a/w.yaml", Key: "executable", Msg: "required"}, "/a/w.yaml: executable: required"},
		{Problem{File: "/a/w.yaml", Line: 2, Msg: "invalid YAML: x"}, "/a/w.yaml:2: invalid YAML: x"},
		{Problem{File: "/a/w.yaml", Msg: "empty"}, "/a/w.yaml: empty"},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// parseIn parses yml as dir/w.yaml, with app.exe present in dir.
func parseIn(t *testing.T, yml string, opts Options) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	writeExe(t, filepath.Join(dir, "app.exe"))
	return Parse(filepath.Join(dir, "w.yaml"), []byte(yml), opts)
}

func TestParseName(t *testing.T) {
	tests := []struct{ yml, def, want, err string }{
		{"executable: app.exe\n", "dflt", "dflt", ""},
		{"executable: app.exe\nname: own\n", "dflt", "own", ""},
		{"executable: app.exe\nname: " + strings.Repeat("n", 80) + "\n", "", strings.Repeat("n", 80), ""},
		{"executable: app.exe\nname: " + strings.Repeat("n", 81) + "\n", "", "", "invalid service name"},
		{"executable: app.exe\n", "", "", "name: required (there is no default name)"},
		{"executable: app.exe\n", "my app", "", `name: the default name "my app" (the wrapper's executable name) is not a valid service name`},
		{"executable: app.exe\nname: ok\n", "my app", "ok", ""},
	}
	for _, tt := range tests {
		c, err := parseIn(t, tt.yml, Options{DefaultName: tt.def, LookupEnv: mapEnv(nil)})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q (default %q): %v; want error %q", tt.yml, tt.def, err, tt.err)
			}
			continue
		}
		if err != nil || c.Name != tt.want || c.DisplayName != tt.want {
			t.Errorf("%q (default %q): %+v, %v; want name %q", tt.yml, tt.def, c, err, tt.want)
		}
	}
}

func TestParseRelativePath(t *testing.T) {
	dir := t.TempDir()
	writeExe(t, filepath.Join(dir, "app.exe"))
	t.Chdir(dir)
	c, err := Parse("w.yaml", []byte("executable: app.exe\n"), Options{DefaultName: "w"})
	if err != nil || c.File != filepath.Join(dir, "w.yaml") || c.BaseDir != dir {
		t.Errorf("Parse = %+v, %v; want File and BaseDir absolute", c, err)
	}
}

// A nil LookupEnv reads the process environment.
func TestParseProcessEnvironment(t *testing.T) {
	t.Setenv("WRAPPER_CONFIG_TEST_VAR", "from-process")
	c, err := parseIn(t, "executable: app.exe\narguments: ['${WRAPPER_CONFIG_TEST_VAR}']\n", Options{DefaultName: "w"})
	if err != nil || len(c.Arguments) != 1 || c.Arguments[0] != "from-process" {
		t.Errorf("Parse = %+v, %v", c, err)
	}
}

func TestParseEnvFileProblemWraps(t *testing.T) {
	_, err := parseIn(t, "executable: app.exe\nenv_file: nope.env\n", Options{DefaultName: "w"})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing env_file: %v is not fs.ErrNotExist", err)
	}
}

func TestMerged(t *testing.T) {
	same := Log{Stdout: filepath.Join("/l", "a.log"), Stderr: filepath.Join("/l", "a.log")}
	other := Log{Stdout: filepath.Join("/l", "a.log"), Stderr: filepath.Join("/l", "b.log")}
	cased := Log{Stdout: filepath.Join("/l", "a.log"), Stderr: filepath.Join("/l", "A.log")}
	if !same.Merged() || other.Merged() || cased.Merged() != (runtime.GOOS == "windows") {
		t.Errorf("Merged: same %v, other %v, cased %v", same.Merged(), other.Merged(), cased.Merged())
	}
}

func TestSuggest(t *testing.T) {
	siblings := []string{"policy", "delay", "max_delay", "reset_after", "max_failures"}
	tests := []struct{ in, want string }{
		{"dealy", ` (did you mean "delay"?)`},
		{"delays", ` (did you mean "delay"?)`},
		{"maxDelay", ` (did you mean "max_delay"?)`},
		{"MAX-DELAY", ` (did you mean "max_delay"?)`},
		{"polcy", ` (did you mean "policy"?)`},
		{"reset", ""},
		{"delayxy", ` (did you mean "delay"?)`},
		{"delayxyz", ""},
		{"dly", ""},
		{"timeout", ` (did you mean "stop.timeout"?)`},
		{"windowTimeout", ` (did you mean "stop.window_timeout"?)`},
		{"xyz", ""},
		{strings.Repeat("a", 200), ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, siblings, knownKeys()); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"delay", "delay", 0},
		{"dealy", "delay", 1}, {"dleay", "delay", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAbsPath(t *testing.T) {
	base := filepath.Join(string(filepath.Separator)+"srv", "app")
	if runtime.GOOS == "windows" {
		base = `C:\srv\app`
	}
	tests := []struct{ in, want string }{
		{"logs", filepath.Join(base, "logs")},
		{".", base},
		{"../x/./y", filepath.Join(filepath.Dir(base), "x", "y")},
	}
	if runtime.GOOS == "windows" {
		tests = append(tests,
			struct{ in, want string }{`D:\data`, `D:\data`},
			struct{ in, want string }{`\data`, `C:\data`},
			struct{ in, want string }{`/data`, `C:\data`},
			struct{ in, want string }{`\\server\share\x`, `\\server\share\x`},
			struct{ in, want string }{`D:data`, ""})
	} else {
		tests = append(tests,
			struct{ in, want string }{"/data//x/", "/data/x"},
			struct{ in, want string }{`a\b`, base + `/a\b`})
	}
	for _, tt := range tests {
		got, err := absPath(base, tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("absPath(%q) = %q, want an error", tt.in, got)
			}
		} else if err != nil || got != tt.want {
			t.Errorf("absPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestNameOfAnInvalidFile: the service name is read from a file that no
// longer loads, falls back to the default when absent, and an invalid
// name or a file that is not YAML is an error.
func TestNameOfAnInvalidFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	opts := Options{DefaultName: "fallback"}
	for _, tt := range []struct {
		file, content, want string
		fails               bool
	}{
		{"broken.yaml", "name: billing\nrestart: {dealy: 1s}\nexecutable: /nonexistent\n", "billing", false},
		{"noname.yaml", "executable: x\nunknown: 1\n", "fallback", false},
		{"badname.yaml", "name: ../../etc\n", "", true},
		{"notyaml.yaml", "name: [unclosed\n", "", true},
	} {
		got, err := Name(write(tt.file, tt.content), opts)
		if got != tt.want || (err != nil) != tt.fails {
			t.Errorf("%s: %q, %v; want %q (fails %v)", tt.file, got, err, tt.want, tt.fails)
		}
	}
}
