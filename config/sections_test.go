package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// checkChecks asserts the invariants of the health, wait_for and hooks
// settings of a loaded Config.
func checkChecks(t testing.TB, c *Config) {
	t.Helper()
	h := c.Health
	probes := 0
	for _, set := range []bool{h.HTTP != "", h.TCP != "", len(h.Command) > 0} {
		if set {
			probes++
		}
	}
	if probes > 1 || h.Interval <= 0 || h.Timeout <= 0 || h.StartPeriod < 0 || h.Failures < 1 {
		t.Errorf("bad health %+v", h)
	}
	if c.WaitFor == nil {
		t.Error("nil WaitFor")
	}
	for i, w := range c.WaitFor {
		n := 0
		for _, s := range []string{w.TCP, w.File, w.HTTP, w.Service} {
			if s != "" {
				n++
			}
		}
		if n != 1 || w.Timeout <= 0 || (w.File != "" && !filepath.IsAbs(w.File)) {
			t.Errorf("bad wait_for[%d] %+v", i, w)
		}
	}
	for _, hk := range []Hook{c.Hooks.PreStart, c.Hooks.PostStart, c.Hooks.PreStop, c.Hooks.PostStop, c.Hooks.OnGiveUp} {
		if hk.Timeout <= 0 || (hk.Command != nil && (len(hk.Command) == 0 || hk.Command[0] == "")) {
			t.Errorf("bad hook %+v", hk)
		}
	}
	if b := c.Heartbeat; b.Interval <= 0 || b.Timeout <= 0 {
		t.Errorf("bad heartbeat %+v", b)
	}
}

// TestChecksLoad covers what the golden files do not show: commands
// resolved beside the config and expansion in the new keys.
func TestChecksLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	// .exe so that the names are programs on Windows too.
	for _, name := range []string{"app.exe", "check.exe", "prep.exe"} {
		writeExe(t, filepath.Join(dir, "bin", name))
	}
	yaml := `executable: bin/app.exe
env:
  DB: db.local
health:
  command: [bin/check.exe, --port, "${PORT}"]
wait_for:
  - tcp: ${DB}:5432
  - file: ${BASE}/ready.flag
    timeout: 2m
hooks:
  pre_start: {command: [bin/prep.exe, "%DB%"], timeout: 5s}
watch: true
`
	path := filepath.Join(dir, "svc.yaml")
	c, err := Parse(path, []byte(yaml), Options{DefaultName: "svc", LookupEnv: mapEnv(testEnv)})
	if err != nil {
		t.Fatal(err)
	}
	checkChecks(t, c)
	if want := []string{filepath.Join(dir, "bin", "check.exe"), "--port", "8080"}; !slices.Equal(c.Health.Command, want) {
		t.Errorf("health command %q, want %q", c.Health.Command, want)
	}
	if w := c.WaitFor; len(w) != 2 || w[0].TCP != "db.local:5432" || w[0].Timeout.String() != "1m0s" ||
		w[1].File != filepath.Join(dir, "ready.flag") || w[1].Timeout.String() != "2m0s" {
		t.Errorf("wait_for %+v", w)
	}
	if h := c.Hooks.PreStart; !slices.Equal(h.Command, []string{filepath.Join(dir, "bin", "prep.exe"), "db.local"}) || h.Timeout.String() != "5s" {
		t.Errorf("pre_start %+v", h)
	}
	if c.Hooks.PostStop.Command != nil || !c.Watch {
		t.Errorf("post_stop %+v, watch %v", c.Hooks.PostStop, c.Watch)
	}

}

// TestServiceFiles: the files install checks for a YAML with every kind:
// the YAML, the env_file, the program, and the programs of the health
// check and the hooks (tool.exe, a bare name found beside the YAML).
func TestServiceFiles(t *testing.T) {
	path := filepath.Join("..", "testdata", "config", "valid", "full.yaml")
	c, err := Load(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(c.File)
	want := []string{c.File, filepath.Join(dir, "full.env"), filepath.Join(dir, "bin", "app.exe"),
		filepath.Join(dir, "tool.exe"), filepath.Join(dir, "bin", "app.exe"), filepath.Join(dir, "tool.exe"),
		filepath.Join(dir, "tool.exe"), filepath.Join(dir, "bin", "app.exe"), filepath.Join(dir, "tool.exe")}
	if got := c.ServiceFiles(); !slices.Equal(got, want) {
		t.Errorf("ServiceFiles\n%q\nwant\n%q", got, want)
	}
}
