package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// exeName adds the extension Windows needs to find a program.
func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// A bare name that is not beside the config is looked up on PATH now and
// kept bare, so that PATH is searched again when the program starts.
func TestExecutableOnPath(t *testing.T) {
	bin := t.TempDir()
	writeExe(t, filepath.Join(bin, exeName("wrapper-test-tool")))
	t.Setenv("PATH", bin)
	c, err := parseIn(t, "executable: wrapper-test-tool\n", Options{DefaultName: "w"})
	if err != nil || c.Executable != "wrapper-test-tool" {
		t.Errorf("Parse = %+v, %v; want the bare name kept", c, err)
	}
	_, err = parseIn(t, "executable: wrapper-test-missing\n", Options{DefaultName: "w"})
	if err == nil || !strings.Contains(err.Error(), `executable: "wrapper-test-missing" is neither a file in `) {
		t.Errorf("missing tool: %v", err)
	}
}

// A file beside the config wins over PATH.
func TestExecutableBesideConfigWins(t *testing.T) {
	bin := t.TempDir()
	writeExe(t, filepath.Join(bin, exeName("app")))
	t.Setenv("PATH", bin)
	dir := t.TempDir()
	writeExe(t, filepath.Join(dir, exeName("app")))
	c, err := Parse(filepath.Join(dir, "w.yaml"), []byte("executable: "+exeName("app")+"\n"), Options{DefaultName: "w"})
	if err != nil || c.Executable != filepath.Join(dir, exeName("app")) {
		t.Errorf("Parse = %+v, %v; want the file beside the config", c, err)
	}
}

// A directory beside the config named like the program does not hide the
// program on PATH.
func TestExecutableDirectoryBesideConfig(t *testing.T) {
	bin := t.TempDir()
	writeExe(t, filepath.Join(bin, exeName("tool")))
	t.Setenv("PATH", bin)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := Parse(filepath.Join(dir, "w.yaml"), []byte("executable: tool\n"), Options{DefaultName: "w"})
	if err != nil || c.Executable != "tool" {
		t.Errorf("Parse = %+v, %v; want the PATH program", c, err)
	}
}

// A program found only through a relative PATH entry would depend on the
// current directory, which a service does not control.
func TestExecutableRelativePathEntry(t *testing.T) {
	cwd := t.TempDir()
	writeExe(t, filepath.Join(cwd, exeName("dot-tool")))
	t.Chdir(cwd)
	t.Setenv("PATH", ".")
	_, err := parseIn(t, "executable: dot-tool\n", Options{DefaultName: "w"})
	if err == nil || !strings.Contains(err.Error(), "relative PATH entry") {
		t.Errorf("got %v; want the relative PATH entry refused", err)
	}
}

func TestExecutableAbsolute(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, exeName("abs"))
	writeExe(t, exe)
	c, err := parseIn(t, "executable: '"+exe+"'\n", Options{DefaultName: "w"})
	if err != nil || c.Executable != exe {
		t.Errorf("Parse = %+v, %v; want %s", c, err, exe)
	}
}
