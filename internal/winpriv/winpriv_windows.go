package winpriv

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// Enable enables privilege name (e.g. "SeShutdownPrivilege") in the
// process token. One the token does not hold stays off without an error:
// AdjustTokenPrivileges reports that only through the last error, and the
// call that needs the privilege says better what it could not do.
func Enable(name string) error {
	var tok windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_ADJUST_PRIVILEGES|windows.TOKEN_QUERY, &tok); err != nil {
		return fmt.Errorf("open the process token: %w", err)
	}
	defer tok.Close()
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return fmt.Errorf("privilege %q: %w", name, err)
	}
	var luid windows.LUID
	if err := windows.LookupPrivilegeValue(nil, p, &luid); err != nil {
		return fmt.Errorf("look up privilege %q: %w", name, err)
	}
	tp := windows.Tokenprivileges{PrivilegeCount: 1}
	tp.Privileges[0] = windows.LUIDAndAttributes{Luid: luid, Attributes: windows.SE_PRIVILEGE_ENABLED}
	if err := windows.AdjustTokenPrivileges(tok, false, &tp, 0, nil, nil); err != nil {
		return fmt.Errorf("enable privilege %q: %w", name, err)
	}
	return nil
}
