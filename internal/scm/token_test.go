package scm

import (
	"slices"
	"testing"
)

func TestSIDTypeValue(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint32
	}{{"", 1}, {"unrestricted", 1}, {"restricted", 3}, {"none", 0}} {
		got, err := sidTypeValue(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("sidTypeValue(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if tt.in != "" && sidTypeName(got) != tt.in {
			t.Errorf("sidTypeName(%d) = %q, want %q", got, sidTypeName(got), tt.in)
		}
	}
	if _, err := sidTypeValue("Restricted"); err == nil {
		t.Error("sidTypeValue accepts a value config does not produce")
	}
}

func TestMultiSZ(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want []uint16
	}{
		{nil, []uint16{0, 0}},
		{[]string{"a"}, []uint16{'a', 0, 0}},
		{[]string{"SeA", "é"}, []uint16{'S', 'e', 'A', 0, 'é', 0, 0}},
	} {
		got := multiSZ(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("multiSZ(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if back := parseMultiSZ(got); !slices.Equal(back, tt.in) {
			t.Errorf("parseMultiSZ(multiSZ(%q)) = %q", tt.in, back)
		}
	}
	if got := parseMultiSZ([]uint16{'a', 0, 'b'}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("an unterminated multi-string: %q", got)
	}
}

// TestLogDirGrantees: with a restricted SID type the service SID is
// granted the log directory too, even for LocalSystem (whose writes are
// then restricted as well); without it, the account alone.
func TestLogDirGrantees(t *testing.T) {
	for _, tt := range []struct {
		account, sidType string
		want             []string
	}{
		{`NT SERVICE\app`, "unrestricted", []string{`NT SERVICE\app`}},
		{`NT SERVICE\app`, "restricted", []string{`NT SERVICE\app`}},
		{`nt service\APP`, "restricted", []string{`nt service\APP`}},
		{`NT AUTHORITY\LocalService`, "unrestricted", []string{`NT AUTHORITY\LocalService`}},
		{`NT AUTHORITY\LocalService`, "restricted", []string{`NT AUTHORITY\LocalService`, `NT SERVICE\app`}},
		{"", "none", nil},
		{"", "restricted", []string{`NT SERVICE\app`}},
		{"LocalSystem", "restricted", []string{`NT SERVICE\app`}},
		{`CORP\svc-app$`, "none", []string{`CORP\svc-app$`}},
	} {
		if got := logDirGrantees(tt.account, "app", tt.sidType); !slices.Equal(got, tt.want) {
			t.Errorf("logDirGrantees(%q, %s) = %q, want %q", tt.account, tt.sidType, got, tt.want)
		}
	}
}
