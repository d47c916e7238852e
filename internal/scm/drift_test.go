package scm

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// TestSettingsDrift compares what the SCM reports of the settings beyond
// its configuration with the YAML's, and skips what could not be read.
func TestSettingsDrift(t *testing.T) {
	run := []string{`C:\t\notify.exe`, "x"}
	want := Service{PreshutdownTimeout: 17 * time.Second, SIDType: "restricted", Privileges: []string{"SeChangeNotifyPrivilege"},
		Recovery:      []RecoveryAction{{Kind: "restart", Delay: 10 * time.Second}, {Kind: "run", Command: run}, {Kind: "reboot", Delay: time.Hour, Message: "bye"}},
		RecoveryReset: 24 * time.Hour}
	same, err := failureActionsOf(want.Recovery, want.RecoveryReset, joinArgs)
	if err != nil {
		t.Fatal(err)
	}
	if d := settingsDrift(readBack{}, want, joinArgs); d != nil {
		t.Errorf("nothing read back: drift %q", d)
	}
	match := readBack{preshutdown: ptr(17 * time.Second), sidType: ptr("restricted"),
		privileges: ptr([]string{"sechangenotifyprivilege"}), failure: &same}
	if d := settingsDrift(match, want, joinArgs); d != nil {
		t.Errorf("the same settings: drift %q", d)
	}
	other := readBack{preshutdown: ptr(10 * time.Second), sidType: ptr("unrestricted"), privileges: ptr([]string(nil)),
		failure: &failureActions{ResetSeconds: 60, Actions: []scAction{{scActionRestart, 1000}}, Command: "old"}}
	got := strings.Join(settingsDrift(other, want, joinArgs), "\n")
	for _, w := range []string{
		"preshutdown timeout is 10s, the YAML's stop budget is 17s",
		"service SID type is unrestricted, the YAML says restricted",
		"required privileges are not set, the YAML says [SeChangeNotifyPrivilege]",
		"recovery actions are [1s], the YAML says [10s, run after 0s, reboot after 1h0m0s]",
		"recovery reset is 1m0s, the YAML says 24h0m0s",
		`recovery command is "old", the YAML gives "<C:\\t\\notify.exe|x>"`,
		`reboot message is "", the YAML gives "bye"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("drift lacks %q:\n%s", w, got)
		}
	}
	// recovery: [] deletes the actions and the reset period with them.
	none := Service{SIDType: "", Recovery: nil, RecoveryReset: 24 * time.Hour}
	if d := settingsDrift(readBack{sidType: ptr("unrestricted"), failure: &failureActions{Command: "left"}}, none, joinArgs); !slices.Equal(d, nil) {
		t.Errorf("no actions: drift %q", d)
	}
}
