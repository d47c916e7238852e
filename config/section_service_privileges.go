package config

import (
	"fmt"
	"slices"
	"strings"
)

// windowsPrivileges are the privilege names of winnt.h (the SE_*_NAME
// constants), which service.privileges accepts. The list is fixed here
// rather than asked of the running system because the configuration is
// checked wherever it is validated, also on Linux.
var windowsPrivileges = []string{
	"SeAssignPrimaryTokenPrivilege", "SeAuditPrivilege", "SeBackupPrivilege",
	"SeChangeNotifyPrivilege", "SeCreateGlobalPrivilege", "SeCreatePagefilePrivilege",
	"SeCreatePermanentPrivilege", "SeCreateSymbolicLinkPrivilege", "SeCreateTokenPrivilege",
	"SeDebugPrivilege", "SeDelegateSessionUserImpersonatePrivilege", "SeEnableDelegationPrivilege",
	"SeImpersonatePrivilege", "SeIncreaseBasePriorityPrivilege", "SeIncreaseQuotaPrivilege",
	"SeIncreaseWorkingSetPrivilege", "SeLoadDriverPrivilege", "SeLockMemoryPrivilege",
	"SeMachineAccountPrivilege", "SeManageVolumePrivilege", "SeProfileSingleProcessPrivilege",
	"SeRelabelPrivilege", "SeRemoteShutdownPrivilege", "SeRestorePrivilege",
	"SeSecurityPrivilege", "SeShutdownPrivilege", "SeSyncAgentPrivilege",
	"SeSystemEnvironmentPrivilege", "SeSystemProfilePrivilege", "SeSystemtimePrivilege",
	"SeTakeOwnershipPrivilege", "SeTcbPrivilege", "SeTimeZonePrivilege",
	"SeTrustedCredManAccessPrivilege", "SeUndockPrivilege",
}

// privileges checks service.privileges: known names in any case (Windows
// compares them so), written back as Windows spells them, no repeats.
func (rs *resolver) privileges(list []val[string]) []string {
	out := []string{}
	for i, p := range list {
		key := fmt.Sprintf("service.privileges[%d]", i)
		name := strings.TrimSpace(p.v)
		j := slices.IndexFunc(windowsPrivileges, func(w string) bool { return strings.EqualFold(w, name) })
		switch {
		case name == "":
			rs.ps.add(p.line, key, "must not be empty")
		case j < 0 && strings.HasSuffix(strings.ToLower(name), "right"):
			rs.ps.add(p.line, key, "%s is an account right, not a privilege: rights belong to accounts, not to a token "+
				"(install grants SeServiceLogonRight where the account needs it)", p.v)
		case j < 0:
			rs.ps.add(p.line, key, "unknown privilege %q%s", p.v, closestPrivilege(name))
		case slices.Contains(out, windowsPrivileges[j]):
			rs.ps.add(p.line, key, "%s is listed twice", windowsPrivileges[j])
		default:
			out = append(out, windowsPrivileges[j])
		}
	}
	return out
}

// closestPrivilege suggests the privilege a typo was meant to be, or points
// at the list.
func closestPrivilege(name string) string {
	best, bestDist := "", 4                                                                      // the names are long: three edits
	long := "Se" + strings.TrimPrefix(strings.TrimSuffix(name, "Privilege"), "Se") + "Privilege" // ChangeNotify
	for _, w := range windowsPrivileges {
		if strings.EqualFold(long, w) {
			return fmt.Sprintf(" (did you mean %s?)", w)
		}
		if d := distance(strings.ToLower(name), strings.ToLower(w)); d < bestDist {
			best, bestDist = w, d
		}
	}
	if best == "" {
		return " (see Windows' privilege constants, e.g. SeChangeNotifyPrivilege)"
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
