package scm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestRunsWrapper decides, below the SCM, which installed services install
// and uninstall may touch, from what QueryServiceConfig reports: the Print
// Spooler, a svchost.exe service and a driver are foreign; a wrapper is
// recognised through quotes, arguments and an unquoted path with spaces,
// where a planted C:\Program.exe (which CreateProcess would start first)
// makes the service foreign.
func TestRunsWrapper(t *testing.T) {
	env := map[string]string{"SystemRoot": `C:\Windows`}
	expand := func(s string) string {
		for k, v := range env {
			s = strings.ReplaceAll(s, "%"+k+"%", v)
		}
		return s
	}
	tests := []struct {
		name    string
		in      installed
		files   map[string]bool // existing programs: is it a wrapper?
		wrapper bool
		program string
		why     string
	}{
		{"the Print Spooler", installed{0x110, `%SystemRoot%\System32\spoolsv.exe`},
			map[string]bool{`C:\Windows\System32\spoolsv.exe`: false}, false, `C:\Windows\System32\spoolsv.exe`, "which is not a wrapper"},
		{"a svchost.exe service", installed{0x20, `C:\Windows\system32\svchost.exe -k netsvcs -p`},
			map[string]bool{`C:\Windows\system32\svchost.exe`: false}, false, "", "service type 0x20"},
		{"a driver", installed{0x1, `\SystemRoot\System32\drivers\tcpip.sys`}, nil, false, "", "service type 0x1"},
		{"a wrapper with its YAML", installed{0x10, `"C:\Program Files\app\myapp.exe" --config "C:\my app\app.yaml"`},
			map[string]bool{`C:\Program Files\app\myapp.exe`: true}, true, `C:\Program Files\app\myapp.exe`, ""},
		{"unquoted with spaces", installed{0x10, `C:\Program Files\app\myapp.exe --config x`},
			map[string]bool{`C:\Program Files\app\myapp.exe`: true}, true, `C:\Program Files\app\myapp.exe`, ""},
		{"unquoted with a planted C:\\Program.exe", installed{0x10, `C:\Program Files\app\myapp.exe`},
			map[string]bool{`C:\Program.exe`: false, `C:\Program Files\app\myapp.exe`: true}, false, `C:\Program.exe`, "which is not a wrapper"},
		{"no extension", installed{0x10, `C:\tools\wrapper`}, map[string]bool{`C:\tools\wrapper.exe`: true}, true, `C:\tools\wrapper.exe`, ""},
		{"a dot in a folder only", installed{0x10, `"C:\v1.2\wrapper"`}, map[string]bool{`C:\v1.2\wrapper.exe`: true}, true, `C:\v1.2\wrapper.exe`, ""},
		{"program gone", installed{0x10, `"C:\old\app.exe"`}, nil, false, `C:\old\app.exe`, "does not exist"},
		{"program unreadable", installed{0x10, `C:\locked.exe`}, map[string]bool{`C:\locked.exe`: true}, false, `C:\locked.exe`, "cannot be examined"},
		{"empty", installed{0x10, ``}, nil, false, "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := runsWrapper(tt.in, expand, func(p string) (bool, error) {
				if p == `C:\locked.exe` {
					return false, fs.ErrPermission
				}
				ok, exists := tt.files[p]
				if !exists {
					return false, fs.ErrNotExist
				}
				return ok, nil
			})
			if v.wrapper != tt.wrapper || v.program != tt.program || !strings.Contains(v.why, tt.why) {
				t.Errorf("verdict %+v, want wrapper %v, program %q, why containing %q", v, tt.wrapper, tt.program, tt.why)
			}
		})
	}
}

// TestIsWrapperProgram identifies real files: the running executable is
// itself; a copy of it is a wrapper only when its build information names
// the wanted main package; a program that is not Go, a text file and a
// missing file are not wrappers.
func TestIsWrapperProgram(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	if want := bi.Main.Path + "/cmd/wrapper"; WrapperPackage != want {
		t.Errorf("WrapperPackage = %q, but this module's command is %q", WrapperPackage, want)
	}
	dir := t.TempDir()
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(dir, "copy.exe")
	text := filepath.Join(dir, "notes.txt")
	if os.WriteFile(cp, b, 0o755) != nil || os.WriteFile(text, []byte("MZ not really\n"), 0o644) != nil {
		t.Fatal("cannot write the test files")
	}
	tests := []struct {
		path, self, pkg string
		want            bool
	}{
		{self, self, WrapperPackage, true},  // the same file
		{cp, self, bi.Path, true},           // another file, built from the wanted package
		{cp, self, WrapperPackage, false},   // a Go program, but not the wrapper
		{text, self, WrapperPackage, false}, // not a program
	}
	for _, tt := range tests {
		if got, err := isWrapperProgram(tt.path, tt.self, tt.pkg); got != tt.want || err != nil {
			t.Errorf("isWrapperProgram(%s, %s) = %v, %v; want %v", filepath.Base(tt.path), tt.pkg, got, err, tt.want)
		}
	}
	if _, err := isWrapperProgram(filepath.Join(dir, "gone.exe"), self, WrapperPackage); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}

// TestProgramCandidates: the files CreateProcess tries for a command line.
func TestProgramCandidates(t *testing.T) {
	got := programCandidates(`C:\Program Files\my app\w.exe --config x`)
	want := []string{`C:\Program.exe`, `C:\Program Files\my.exe`, `C:\Program Files\my app\w.exe`,
		`C:\Program Files\my app\w.exe --config`, `C:\Program Files\my app\w.exe --config x`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("candidates\n%q\nwant\n%q", got, want)
	}
}
