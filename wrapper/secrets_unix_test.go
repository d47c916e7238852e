//go:build unix

package wrapper

import (
	"strings"
	"syscall"
	"testing"
)

// TestReloadMasksEnvValues: a reload refused because of a mistake inside
// an env value names the key and quotes none of the value: on the
// console of `wrapper reload` (which loads the YAML first) and in the
// wrapper's log and console (a SIGHUP reload).
func TestReloadMasksEnvValues(t *testing.T) {
	dir := t.TempDir()
	yaml := childYAML(t, "hang", []string{"ready"}, "")
	cfg := writeFile(t, dir, "svc.yaml", yaml)
	cmd, console := startWrapper(t, cfg)
	waitFor(t, "the child", func() bool { return readLog(t, dir, "svc.out.log") == "ready\n" })
	writeFile(t, dir, "svc.yaml", strings.Replace(yaml, "env:\n", "env:\n  DB_PASSWORD: \"pa$s3cr3t\"\n", 1))
	code, stdout, stderr := runMain(t, "reload", "--config", cfg)
	if code != ExitUsage || !strings.Contains(stderr, "env.DB_PASSWORD") {
		t.Fatalf("reload: exit %d, want %d and a problem naming env.DB_PASSWORD\n%s%s", code, ExitUsage, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "s3cr3t") {
		t.Errorf("reload quotes the value:\n%s%s", stdout, stderr)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refusal in the wrapper log", func() bool {
		return strings.Contains(readLog(t, dir, "svc.wrapper.log"), "reload refused")
	})
	if log := readLog(t, dir, "svc.wrapper.log"); strings.Contains(log, "s3cr3t") || !strings.Contains(log, "env.DB_PASSWORD") {
		t.Errorf("wrapper log quotes the value or does not name the key:\n%s", log)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if strings.Contains(console.String(), "s3cr3t") {
		t.Errorf("wrapper console quotes the value:\n%s", console)
	}
}
