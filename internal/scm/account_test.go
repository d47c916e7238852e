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
