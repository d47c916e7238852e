package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logDirLayout makes BASE with bin/app.exe, tools/check.exe, tools/prep.exe,
// wrapper/wrapper.exe and an env file, and returns BASE.
func logDirLayout(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for _, d := range []string{"bin", "tools", "wrapper", "etc"} {
		if err := os.Mkdir(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"bin/app.exe", "tools/check.exe", "tools/prep.exe", "wrapper/wrapper.exe"} {
		writeExe(t, filepath.Join(base, p))
	}
	if err := os.WriteFile(filepath.Join(base, "etc", "app.env"), []byte("A=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return base
}

// TestLogDirRefusesWhatItWouldExpose: log.dir may not hold (at any depth)
// the wrapper executable, the YAML, the env_file or a program the wrapper
// starts, since the service account gets write access to it; a sibling
// whose name merely starts the same is fine.
func TestLogDirRefusesWhatItWouldExpose(t *testing.T) {
	base := logDirLayout(t)
	common := "executable: bin/app.exe\nenv_file: etc/app.env\nhealth: {command: [tools/check.exe]}\n" +
		"hooks: {pre_start: {command: [tools/prep.exe]}}\n"
	tests := []struct {
		dir  string
		want string // "" for accepted
	}{
		{"logs", ""},
		{"bin2", ""},     // shares a prefix with bin, holds nothing
		{"bin/logs", ""}, // below the executable, not above it
		{"${BASE}/../" + filepath.Base(base) + "x", ""}, // a sibling of BASE whose name starts alike
		{"bin", "the executable (" + filepath.Join(base, "bin", "app.exe") + ")"},
		{"wrapper", "the wrapper executable (" + filepath.Join(base, "wrapper", "wrapper.exe") + ")"},
		{"etc", "the env_file ("},
		{"tools", "the health.command program (" + filepath.Join(base, "tools", "check.exe") + ") and the hooks.pre_start program ("},
		{".", "this configuration file (" + filepath.Join(base, "svc.yaml") + "), the env_file ("},
		{"..", "the wrapper executable"},
	}
	for _, tt := range tests {
		yaml := common + "log: {dir: \"" + tt.dir + "\"}\n"
		_, err := Parse(filepath.Join(base, "svc.yaml"), []byte(yaml),
			Options{DefaultName: "svc", WrapperExe: filepath.Join(base, "wrapper", "wrapper.exe")})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("log.dir %s: %v, want it accepted", tt.dir, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), ":5: log.dir: ") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("log.dir %s: %v, want a log.dir problem on line 5 naming %q", tt.dir, err, tt.want)
		}
	}
	// Without Options.WrapperExe that one check is skipped.
	_, err := Parse(filepath.Join(base, "svc.yaml"), []byte(common+"log: {dir: wrapper}\n"), Options{DefaultName: "svc"})
	if err != nil {
		t.Errorf("log.dir wrapper without WrapperExe: %v", err)
	}
}

func TestWithin(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a")
	tests := []struct {
		p    string
		want bool
	}{
		{filepath.Join(root, "x"), true},
		{filepath.Join(root, "x", "y", "z"), true},
		{root, false},
		{filepath.Dir(root), false},
		{root + "b", false},
		{filepath.Join(filepath.Dir(root), "b", "x"), false},
	}
	for _, tt := range tests {
		if got := within(root, tt.p); got != tt.want {
			t.Errorf("within(%q, %q) = %v, want %v", root, tt.p, got, tt.want)
		}
	}
}
