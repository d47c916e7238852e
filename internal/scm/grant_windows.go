package scm

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/windows"
)

// grantLogDir gives the service account modify rights on the log directory
// (created if missing). A virtual account (NT SERVICE\name) or LocalService
// can read most files but cannot write beside a program in Program Files;
// without this grant the wrapper could not write its logs there.
// LocalSystem needs no grant.
func grantLogDir(dir, account string) error {
	if account == "" || strings.EqualFold(account, "LocalSystem") {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create log directory: %w", err)
	}
	sid, _, _, err := windows.LookupSID("", lookupName(account))
	if err != nil {
		return fmt.Errorf("grant %s access to %s: look up account: %w", account, dir, err)
	}
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("read the ACL of %s: %w", dir, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("read the ACL of %s: %w", dir, err)
	}
	access := []windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_READ | windows.GENERIC_WRITE | windows.GENERIC_EXECUTE | windows.DELETE,
		AccessMode:        windows.GRANT_ACCESS,
		Inheritance:       windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_UNKNOWN,
			TrusteeValue: windows.TrusteeValueFromSID(sid),
		},
	}}
	acl, err := windows.ACLFromEntries(access, dacl)
	if err != nil {
		return fmt.Errorf("build the ACL of %s: %w", dir, err)
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
	if err != nil {
		return fmt.Errorf("grant %s access to %s: %w", account, dir, err)
	}
	return nil
}
