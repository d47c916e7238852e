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
