package scm

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// joinArgs stands in for windows.ComposeCommandLine: the test is about
// which command goes to lpCommand, not about quoting.
func joinArgs(args []string) string { return "<" + strings.Join(args, "|") + ">" }

// TestFailureActionsOf maps service.recovery to SERVICE_FAILURE_ACTIONS
// below the OS call: one SC_ACTION per entry with its type and delay in
// milliseconds, the run actions' command in lpCommand and the reboot
// message in lpRebootMsg, both "" (deleted) when unused.
func TestFailureActionsOf(t *testing.T) {
	run := []string{`C:\tools\notify.exe`, "--service", "app"}
	tests := []struct {
		name    string
		actions []RecoveryAction
		reset   time.Duration
		want    failureActions
		err     string
	}{
		{"restarts", []RecoveryAction{{Kind: "restart", Delay: 10 * time.Second}, {Kind: "restart", Delay: time.Minute}}, 24 * time.Hour,
			failureActions{ResetSeconds: 86400, Actions: []scAction{{1, 10000}, {1, 60000}}}, ""},
		{"none", nil, 24 * time.Hour, failureActions{ResetSeconds: 86400}, ""},
		{"restart, run, reboot",
			[]RecoveryAction{{Kind: "restart", Delay: 5 * time.Second}, {Kind: "run", Command: run, Delay: time.Minute},
				{Kind: "run", Command: run}, {Kind: "reboot", Delay: 10 * time.Minute, Message: "app failed"}}, time.Hour,
			failureActions{ResetSeconds: 3600, Actions: []scAction{{1, 5000}, {3, 60000}, {3, 0}, {2, 600000}},
				Command: `<C:\tools\notify.exe|--service|app>`, RebootMsg: "app failed"}, ""},
		{"reboot without a message", []RecoveryAction{{Kind: "reboot", Delay: time.Second}}, 0,
			failureActions{Actions: []scAction{{2, 1000}}}, ""},
		{"reset saturates", nil, 200 * 365 * 24 * time.Hour, failureActions{ResetSeconds: 1<<32 - 1}, ""},
		{"two commands", []RecoveryAction{{Kind: "run", Command: run}, {Kind: "run", Command: []string{"other"}}}, 0,
			failureActions{}, "recovery[1]: a second, different command"},
		{"two messages", []RecoveryAction{{Kind: "reboot", Message: "a"}, {Kind: "reboot", Message: "b"}}, 0,
			failureActions{}, "recovery[1]: a second, different reboot message"},
		{"run without a command", []RecoveryAction{{Kind: "run"}}, 0, failureActions{}, "without a command"},
		{"too long", []RecoveryAction{{Kind: "restart", Delay: 50 * 24 * time.Hour}}, 0, failureActions{}, "out of range"},
		{"unknown", []RecoveryAction{{Kind: "none"}}, 0, failureActions{}, `unknown action "none"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := failureActionsOf(tt.actions, tt.reset, joinArgs)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v\nwant %+v", got, err, tt.want)
			}
			if got.hasReboot() != strings.Contains(tt.name, "reboot") {
				t.Errorf("hasReboot() = %v", got.hasReboot())
			}
		})
	}
}
