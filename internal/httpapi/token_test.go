package httpapi

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLoadToken: the variable or the file, trimmed; missing, short and
// (on Unix) group- or world-readable tokens are refused.
func TestLoadToken(t *testing.T) {
	env := func(k string) (string, bool) {
		v, ok := map[string]string{"GOOD": " 0123456789abcdef\n", "SHORT": "abc"}[k]
		return v, ok
	}
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("fedcba9876543210fedcba\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	private, open := write("private", 0o600), write("open", 0o644)
	for _, c := range []struct {
		name, env, file, want, err string
	}{
		{"none", "", "", "", ""},
		{"env", "GOOD", "", "0123456789abcdef", ""},
		{"env missing", "NOPE", "", "", "NOPE is not set"},
		{"env short", "SHORT", "", "", "at least 16"},
		{"file", "", private, "fedcba9876543210fedcba", ""},
		{"file missing", "", filepath.Join(dir, "missing"), "", "http.token_file"},
		{"file readable by others", "", open, "", "readable by other users"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "file readable by others" && runtime.GOOS == "windows" {
				t.Skip("Windows file modes do not say who may read")
			}
			got, err := LoadToken(c.env, c.file, env)
			if string(got) != c.want || (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
				t.Errorf("LoadToken(%q, %q) = %q, %v; want %q, error containing %q", c.env, c.file, got, err, c.want, c.err)
			}
		})
	}
}
