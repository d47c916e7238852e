package scm

import "testing"

func TestResolveAccount(t *testing.T) {
	tests := []struct {
		account, want string
		password      bool
	}{
		{"", `NT SERVICE\svc`, false},
		{"LocalSystem", "LocalSystem", false},
		{"localsystem", "LocalSystem", false},
		{`NT AUTHORITY\SYSTEM`, "LocalSystem", false},
		{"LocalService", `NT AUTHORITY\LocalService`, false},
		{`NT AUTHORITY\LocalService`, `NT AUTHORITY\LocalService`, false},
		{"NetworkService", `NT AUTHORITY\NetworkService`, false},
		{`nt authority\network service`, `NT AUTHORITY\NetworkService`, false},
		{`NT SERVICE\other`, `NT SERVICE\other`, false},
		{`CORP\web01$`, `CORP\web01$`, false},
		{`CORP\alice`, `CORP\alice`, true},
		{`.\svcuser`, `.\svcuser`, true},
	}
	for _, tt := range tests {
		got, pw := ResolveAccount(tt.account, "svc")
		if got != tt.want || pw != tt.password {
			t.Errorf("ResolveAccount(%q) = %q, %v; want %q, %v", tt.account, got, pw, tt.want, tt.password)
		}
	}
}

// TestNeedsLogonRight: the accounts install grants SeServiceLogonRight,
// without which the service fails to start with error 1069; the others
// hold it from Windows.
func TestNeedsLogonRight(t *testing.T) {
	tests := []struct {
		account string
		want    bool
	}{
		{"", false}, // NT SERVICE\svc, the virtual account
		{"LocalSystem", false},
		{`NT AUTHORITY\SYSTEM`, false},
		{"LocalService", false},
		{`nt authority\network service`, false},
		{`NT SERVICE\other`, false},
		{`nt service\odd$`, false}, // a virtual account, whatever its last character
		{`CORP\web01$`, true},      // a gMSA: a domain account like any other
		{`CORP\alice`, true},
		{`.\svcuser`, true},
		{"svcuser", true},
	}
	for _, tt := range tests {
		if got := needsLogonRight(tt.account, "svc"); got != tt.want {
			t.Errorf("needsLogonRight(%q) = %v, want %v", tt.account, got, tt.want)
		}
	}
}

func TestLookupName(t *testing.T) {
	for in, want := range map[string]string{
		`.\svcuser`:    "svcuser",
		`CORP\alice`:   `CORP\alice`,
		`CORP\web01$`:  `CORP\web01$`,
		"svcuser":      "svcuser",
		`..\x`:         `..\x`,
		`NT SERVICE\x`: `NT SERVICE\x`,
	} {
		if got := lookupName(in); got != want {
			t.Errorf("lookupName(%q) = %q, want %q", in, got, want)
		}
	}
}
