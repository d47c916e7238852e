package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. Parse must never panic, must
// return either a config or an error, every error must be an errors.Join of
// *Problem, and every config must satisfy the documented invariants. Seeds:
// every golden YAML file plus testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", "config", dir, "*.yaml"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	dir := f.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		f.Fatal(err)
	}
	writeExe(f, filepath.Join(dir, "bin", "app.exe"))
	writeExe(f, filepath.Join(dir, "app.exe"))
	if err := os.WriteFile(filepath.Join(dir, "app.env"), []byte("A=1\nB='2'\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(dir, "fuzz.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fold := range []bool{false, true} {
			c, err := parse(path, data, testOptions(), fold)
			switch {
			case err != nil && c != nil:
				t.Fatalf("both a config and an error: %v", err)
			case err != nil:
				checkProblems(t, err)
			case c == nil:
				t.Fatal("neither a config nor an error")
			default:
				checkInvariants(t, c)
			}
		}
	})
}

// checkInvariants asserts what every successfully parsed Config promises.
func checkInvariants(t testing.TB, c *Config) {
	t.Helper()
	checkAbsolute(t, c)
	checkChecks(t, c)
	r, l, s := c.Restart, c.Log, c.Service
	switch {
	case !validName(c.Name):
		t.Errorf("invalid name %q", c.Name)
	case c.Executable == "":
		t.Errorf("empty executable")
	case !slices.Contains(policies, r.Policy) || !slices.Contains(signals, c.Stop.Signal) || !slices.Contains(startModes, s.StartMode):
		t.Errorf("enum out of range: %q %q %q", r.Policy, c.Stop.Signal, s.StartMode)
	case r.Delay < 0 || r.MaxDelay < r.Delay || r.ResetAfter < 0 || r.MaxFailures < 0:
		t.Errorf("bad restart %+v", r)
	case slices.ContainsFunc(r.FatalExitCodes, func(code int) bool { return slices.Contains(r.SuccessExitCodes, code) }):
		t.Errorf("overlapping exit codes %+v", r)
	case l.MaxSize < minSize || l.MaxFiles < 0 || l.MaxAge < 0:
		t.Errorf("bad log limits %+v", l)
	case samePath(l.Wrapper, l.Stdout) || samePath(l.Wrapper, l.Stderr):
		t.Errorf("wrapper log shared with child output: %+v", l)
	case c.Arguments == nil || c.Env == nil || r.SuccessExitCodes == nil || r.FatalExitCodes == nil || s.Dependencies == nil || s.Recovery == nil:
		t.Errorf("nil list in %+v", c)
	}
}
