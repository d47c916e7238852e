//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On Unix a program needs an execute permission bit; exec would fail at
// start, so loading fails now.
func TestExecutableNotExecutable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plain"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, exe := range []string{"./plain", "plain", "${BASE}/plain"} {
		_, err := Parse(filepath.Join(dir, "w.yaml"), []byte("executable: "+exe+"\n"), Options{DefaultName: "w"})
		want := filepath.Join(dir, "plain") + " is not executable"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("executable %s: %v; want %q", exe, err, want)
		}
	}
}

// Devices and pipes are refused as env_file: reading them could block or
// never end.
func TestEnvFileDevice(t *testing.T) {
	_, err := parseIn(t, "executable: app.exe\nenv_file: /dev/zero\n", Options{DefaultName: "w"})
	if err == nil || !strings.Contains(err.Error(), "env_file: /dev/zero: cannot read: not a regular file") {
		t.Errorf("got %v", err)
	}
}

// On Unix a backslash is an ordinary file name character.
func TestExecutableBackslash(t *testing.T) {
	dir := t.TempDir()
	writeExe(t, filepath.Join(dir, `a\b`))
	c, err := Parse(filepath.Join(dir, "w.yaml"), []byte(`executable: 'a\b'`+"\n"), Options{DefaultName: "w"})
	if err != nil || c.Executable != filepath.Join(dir, `a\b`) {
		t.Errorf("Parse = %+v, %v", c, err)
	}
}

// TestLogDirThroughLinks: a log directory is compared with its links
// resolved, and so is what it must not hold: a link to the executable's
// folder is refused, and so is a link inside the log directory that names
// an executable elsewhere (the service account could replace the link).
func TestLogDirThroughLinks(t *testing.T) {
	base := logDirLayout(t)
	if err := os.Symlink(filepath.Join(base, "bin"), filepath.Join(base, "binlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(base, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "bin", "app.exe"), filepath.Join(base, "logs", "app")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ yaml, want string }{
		{"executable: bin/app.exe\nlog: {dir: binlink}\n", "holds the executable"},
		{"executable: bin/app.exe\nlog: {dir: binlink/not-yet}\n", ""}, // below the executable's folder
		{"executable: binlink/app.exe\nlog: {dir: bin}\n", "holds the executable"},
		{"executable: logs/app\n", "holds the executable (" + filepath.Join(base, "logs", "app") + ")"},
		{"executable: bin/app.exe\nlog: {dir: ../../../../../../../../..}\n", "must not be a file system root"},
	}
	for _, tt := range tests {
		_, err := Parse(filepath.Join(base, "svc.yaml"), []byte(tt.yaml), Options{DefaultName: "svc"})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v, want it accepted", tt.yaml, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), "log.dir: ") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want a log.dir problem with %q", tt.yaml, err, tt.want)
		}
	}
}
