package scm

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The LSA policy calls are not in x/sys/windows; advapi32 exports them.
var (
	advapi32                = windows.NewLazySystemDLL("advapi32.dll")
	procLsaOpenPolicy       = advapi32.NewProc("LsaOpenPolicy")
	procLsaAddAccountRights = advapi32.NewProc("LsaAddAccountRights")
	procLsaClose            = advapi32.NewProc("LsaClose")
)

// policyAccess is what LsaAddAccountRights needs on the policy handle:
// POLICY_LOOKUP_NAMES, and POLICY_CREATE_ACCOUNT for a SID that holds no
// right yet (the LSA then creates its account object).
const policyAccess = 0x00000800 | 0x00000010

// grantLogonRight gives account (an SCM start name) the right to log on as
// a service, SeServiceLogonRight. Granting a right held already succeeds,
// so install may call it every time. Needs administrator rights.
func grantLogonRight(account string) error {
	wrap := func(step string, err error) error {
		return fmt.Errorf("grant %s the right to log on as a service: %s: %w", account, step, err)
	}
	for _, p := range []*windows.LazyProc{procLsaOpenPolicy, procLsaAddAccountRights, procLsaClose} {
		if err := p.Find(); err != nil { // a missing export is an error, not a panic
			return wrap("find "+p.Name, err)
		}
	}
	sid, _, _, err := windows.LookupSID("", lookupName(account))
	if err != nil {
		return wrap("look up account", err)
	}
	right, err := windows.NewNTUnicodeString("SeServiceLogonRight")
	if err != nil {
		return wrap("encode the right", err)
	}
	// LSA_OBJECT_ATTRIBUTES has OBJECT_ATTRIBUTES' layout; LsaOpenPolicy
	// uses none of its members, which must be zero. The pointers are
	// converted in the Call expressions themselves, which keeps what they
	// point to alive and in place for the call.
	var attrs windows.OBJECT_ATTRIBUTES
	var policy windows.Handle
	r, _, _ := procLsaOpenPolicy.Call(0, uintptr(unsafe.Pointer(&attrs)), policyAccess, uintptr(unsafe.Pointer(&policy)))
	if err := ntError(r); err != nil {
		return wrap("open the local security policy", err)
	}
	defer procLsaClose.Call(uintptr(policy))
	r, _, _ = procLsaAddAccountRights.Call(uintptr(policy), uintptr(unsafe.Pointer(sid)), uintptr(unsafe.Pointer(right)), 1)
	if err := ntError(r); err != nil {
		return wrap("add the right", err)
	}
	return nil
}

// ntError turns the NTSTATUS an LSA function returns into nil or the Win32
// error it stands for, so that access denied and the like compare with
// errors.Is.
func ntError(r uintptr) error {
	if st := windows.NTStatus(r); st != windows.STATUS_SUCCESS {
		return st.Errno()
	}
	return nil
}
