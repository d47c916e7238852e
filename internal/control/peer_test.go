package control

import (
	"errors"
	"strings"
	"testing"
)

// TestAccept: the pure decision a client makes about the process serving
// the endpoint, one row per rule.
func TestAccept(t *testing.T) {
	root := Peer{PID: 10, Account: "0", Label: "uid 0"}
	nobody := Peer{PID: 66, Account: "65534", Label: "uid 65534", Exe: "/tmp/x"}
	unknown := Peer{PID: 77, Label: "account unknown"}
	systemd := Expect{PID: 10, Manager: "systemd"}
	tests := []struct {
		name    string
		peer    Peer
		want    Expect
		trusted []string
		ok      bool
		says    string // in the refusal
	}{
		{"the service manager's process", root, systemd, []string{"0"}, true, ""},
		{"another process of the same account", Peer{PID: 11, Account: "0", Label: "uid 0"}, systemd, []string{"0"}, false, "pid 11 (uid 0), but systemd runs the wrapper as pid 10"},
		{"a trusted account counts for nothing when a manager names the pid", nobody, systemd, []string{"0", "65534"}, false, "pid 66 (uid 65534, /tmp/x)"},
		{"no manager: root", root, Expect{}, []string{"0"}, true, ""},
		{"no manager: the client's own account", nobody, Expect{}, []string{"0", "65534"}, true, ""},
		{"no manager: another account", nobody, Expect{}, []string{"0"}, false, "pid 66 (uid 65534, /tmp/x); no service manager"},
		{"no manager: LocalSystem", Peer{PID: 5, Account: sidLocalSystem}, Expect{}, []string{sidLocalSystem, "S-1-5-21-1"}, true, ""},
		{"no manager: another Windows user", Peer{PID: 6, Account: "S-1-5-21-2", Label: `HOST\eve`}, Expect{}, []string{sidLocalSystem, "S-1-5-21-1"}, false, `pid 6 (HOST\eve)`},
		{"no manager: an account that cannot be read", unknown, Expect{}, []string{"0", ""}, false, "pid 77 (account unknown)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := accept("ADDR", tc.peer, tc.want, tc.trusted, "TRUSTED")
			if tc.ok != (err == nil) {
				t.Fatalf("accept: %v, want ok %v", err, tc.ok)
			}
			if err != nil && (!errors.Is(err, ErrImpostor) || !strings.Contains(err.Error(), tc.says)) {
				t.Errorf("refusal %q does not say %q", err, tc.says)
			}
		})
	}
}

// TestServiceSID checks the computed service SIDs against ones Windows
// reports (`sc showsid NAME`).
func TestServiceSID(t *testing.T) {
	for name, want := range map[string]string{
		"TrustedInstaller": "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
		"trustedinstaller": "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
	} {
		if got := serviceSID(name); got != want {
			t.Errorf("serviceSID(%q) = %s, want %s", name, got, want)
		}
	}
}

// TestPipeSDDL: the pipe admits LocalSystem, Administrators and the
// service SID; the wrapper's own account only when it is not an identity
// many services share, unless the token lacks the service SID.
func TestPipeSDDL(t *testing.T) {
	base := "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + serviceSID("svc") + ")"
	tests := []struct {
		user          string
		hasServiceSID bool
		want          string
	}{
		{sidLocalSystem, true, base},
		{sidLocalService, true, base},
		{sidNetworkService, true, base},
		{sidLocalService, false, base + "(A;;GA;;;" + sidLocalService + ")"},
		{"S-1-5-21-1-2-3-1001", true, base + "(A;;GA;;;S-1-5-21-1-2-3-1001)"},
		{"S-1-5-21-1-2-3-1001", false, base + "(A;;GA;;;S-1-5-21-1-2-3-1001)"},
	}
	for _, tc := range tests {
		if got := pipeSDDL("svc", tc.user, tc.hasServiceSID); got != tc.want {
			t.Errorf("pipeSDDL(%s, %v) = %s, want %s", tc.user, tc.hasServiceSID, got, tc.want)
		}
	}
}
