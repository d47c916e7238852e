package winpriv

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// privilegeState reports whether the process token holds privilege name
// and whether it is enabled.
func privilegeState(t *testing.T, name string) (held, enabled bool) {
	t.Helper()
	var tok windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_QUERY, &tok); err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	var luid windows.LUID
	if err := windows.LookupPrivilegeValue(nil, windows.StringToUTF16Ptr(name), &luid); err != nil {
		t.Fatal(err)
	}
	var n uint32
	_ = windows.GetTokenInformation(tok, windows.TokenPrivileges, nil, 0, &n)
	buf := make([]byte, n)
	if err := windows.GetTokenInformation(tok, windows.TokenPrivileges, &buf[0], n, &n); err != nil {
		t.Fatal(err)
	}
	for _, p := range (*windows.Tokenprivileges)(unsafe.Pointer(&buf[0])).AllPrivileges() {
		if p.Luid == luid {
			return true, p.Attributes&windows.SE_PRIVILEGE_ENABLED != 0
		}
	}
	return false, false
}

// disable switches privilege name off: the test's starting point.
func disable(t *testing.T, name string) {
	t.Helper()
	var tok windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_ADJUST_PRIVILEGES|windows.TOKEN_QUERY, &tok); err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	var luid windows.LUID
	if err := windows.LookupPrivilegeValue(nil, windows.StringToUTF16Ptr(name), &luid); err != nil {
		t.Fatal(err)
	}
	tp := windows.Tokenprivileges{PrivilegeCount: 1}
	tp.Privileges[0] = windows.LUIDAndAttributes{Luid: luid}
	if err := windows.AdjustTokenPrivileges(tok, false, &tp, 0, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// TestEnable: a privilege the token holds, switched off, is on after
// Enable; an unknown name is an error that names it.
func TestEnable(t *testing.T) {
	const name = "SeShutdownPrivilege"
	if held, _ := privilegeState(t, name); !held {
		t.Skipf("the token does not hold %s", name)
	}
	disable(t, name)
	if _, on := privilegeState(t, name); on {
		t.Fatalf("%s still enabled after switching it off", name)
	}
	if err := Enable(name); err != nil {
		t.Fatal(err)
	}
	if _, on := privilegeState(t, name); !on {
		t.Errorf("%s not enabled after Enable", name)
	}
	if err := Enable("SeNoSuchPrivilege"); err == nil {
		t.Error("Enable of an unknown privilege succeeded")
	}
}
