package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// recoveryDir is a folder with bin/app.exe and bin/notify.exe, for
// configurations whose recovery runs a command.
func recoveryDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.exe", "notify.exe"} {
		writeExe(t, filepath.Join(dir, "bin", name))
	}
	return dir
}

// parseRecovery parses a configuration with the given service.recovery,
// with Windows semantics or not.
func parseRecovery(t *testing.T, dir, recovery string, windows bool) (*Config, error) {
	t.Helper()
	yaml := "executable: bin/app.exe\nservice:\n  recovery:\n" + recovery
	return parse(filepath.Join(dir, "svc.yaml"), []byte(yaml), Options{DefaultName: "svc", LookupEnv: mapEnv(nil)}, windows)
}

// TestRecoveryActions: durations are restarts; on Windows a mapping runs
// a command (resolved like executable, expanded) or reboots; the run
// command is one of the files install requires others not to change.
func TestRecoveryActions(t *testing.T) {
	dir := recoveryDir(t)
	c, err := parseRecovery(t, dir, `    - 10s
    - {run: [bin/notify.exe, --service, "${NAME}"], after: 1m}
    - {run: [bin/notify.exe, --service, "${NAME}"]}
    - {reboot: 10m, message: "svc failed: rebooting"}
`, true)
	if err != nil {
		t.Fatal(err)
	}
	notify := filepath.Join(dir, "bin", "notify.exe")
	want := []RecoveryAction{
		{Action: RecoveryRestart, Delay: 10 * time.Second},
		{Action: RecoveryRun, Delay: time.Minute, Command: []string{notify, "--service", "svc"}},
		{Action: RecoveryRun, Command: []string{notify, "--service", "svc"}},
		{Action: RecoveryReboot, Delay: 10 * time.Minute, Message: "svc failed: rebooting"},
	}
	if !reflect.DeepEqual(c.Service.Recovery, want) {
		t.Errorf("recovery\n%+v\nwant\n%+v", c.Service.Recovery, want)
	}
	if d := c.Service.RecoveryDelays(); !slices.Equal(d, []time.Duration{10 * time.Second}) {
		t.Errorf("RecoveryDelays() = %v, want the restart's alone", d)
	}
	if !slices.Contains(c.ServiceFiles(), notify) {
		t.Errorf("ServiceFiles() = %q lacks the recovery command %s", c.ServiceFiles(), notify)
	}
}

// TestRecoveryProblems: each mistake is reported with the entry's key and
// line, and entries that are wrong in themselves get no further complaint.
func TestRecoveryProblems(t *testing.T) {
	dir := recoveryDir(t)
	tests := []struct {
		name, recovery string
		windows        bool
		want           []string
	}{
		{"linux refuses run and reboot", "    - 10s\n    - {run: [bin/notify.exe]}\n    - {reboot: 1m}\n", false, []string{
			"svc.yaml:5: service.recovery[1]: run actions are Windows only: systemd restarts the wrapper after the first duration",
			"svc.yaml:6: service.recovery[2]: reboot actions are Windows only",
		}},
		{"one command", "    - {run: [bin/notify.exe, a]}\n    - {run: [bin/notify.exe, b]}\n", true, []string{
			"svc.yaml:5: service.recovery[1].run: differs from the command of service.recovery[0]: the service manager keeps one command for all run actions",
		}},
		{"one message", "    - {reboot: 1m, message: a}\n    - {reboot: 2m}\n    - {reboot: 3m, message: b}\n", true, []string{
			"svc.yaml:5: service.recovery[1].message: differs from the message of service.recovery[0]",
			"svc.yaml:6: service.recovery[2].message: differs from the message of service.recovery[0]",
		}},
		{"shapes", `    - {run: bin/notify.exe}
    - {after: 1m}
    - {run: [bin/notify.exe], reboot: 1m}
    - {reboot: 1m, after: 1m}
    - {run: [bin/notify.exe], message: m}
    - {reboot: 1m, delay: 2m}
    - ~
    - [1s]
    - {reboot: 50d}
    - {run: []}
    - soon
`, true, []string{
			"svc.yaml:4: service.recovery[0].run: expected a list such as [bin/check, --quick], got a string",
			"svc.yaml:5: service.recovery[1]: one of run or reboot is required",
			"svc.yaml:6: service.recovery[2].reboot: only one of run or reboot may be set (run is set at line 6)",
			"svc.yaml:7: service.recovery[3].after: belongs to run entries (a reboot's delay is its value: reboot: 10m)",
			"svc.yaml:8: service.recovery[4].message: belongs to reboot entries",
			"svc.yaml:9: service.recovery[5].delay: unknown key (a run entry waits `after: 1m`",
			"svc.yaml:10: service.recovery[6]: expected a duration (restart after it), {run: [...]} or {reboot: ...}, got null",
			"svc.yaml:11: service.recovery[7]: expected a duration (restart after it), {run: [...]} or {reboot: ...}, got a list",
			"svc.yaml:12: service.recovery[8].reboot: too long (1200h0m0s, at most 1193h2m47.295s)",
			"svc.yaml:13: service.recovery[9].run: must not be empty (list the program and its arguments)",
			`svc.yaml:14: service.recovery[10]: invalid duration "soon"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRecovery(t, dir, tt.recovery, tt.windows)
			if err == nil {
				t.Fatal("parse succeeded")
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%s", len(got), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("no problem %q in:\n%s", w, err)
				}
			}
		})
	}
}
