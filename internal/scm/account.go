// Package scm is the Windows service manager's side of the wrapper:
// installing, updating, starting, stopping and deleting services, reading
// back their settings, granting the service account its log directory, the
// Event Log, and telling whether the SCM started this process. It takes
// plain values (Service), never a configuration. The account and Event Log
// helpers, and the decisions on what QueryServiceConfig and a DACL report,
// build everywhere so their tests run on every platform; the rest is
// Windows only.
package scm

import "strings"

// ResolveAccount maps the YAML's service.account to the name the SCM takes,
// and reports whether that account needs a password at install time.
//
//	""                          → NT SERVICE\<name>, the virtual account: least privilege, no password
//	LocalSystem                 → LocalSystem
//	LocalService, NetworkService (with or without NT AUTHORITY\) → NT AUTHORITY\...
//	NT SERVICE\x                → as is
//	DOMAIN\name$                → a group managed service account: as is, no password
//	anything else               → a user account: needs a password
func ResolveAccount(account, service string) (startName string, needsPassword bool) {
	a := strings.TrimSpace(account)
	short := strings.TrimPrefix(strings.ToLower(a), `nt authority\`)
	switch {
	case a == "":
		return `NT SERVICE\` + service, false
	case strings.EqualFold(a, "LocalSystem"), short == "system":
		return "LocalSystem", false
	case short == "localservice" || short == "local service":
		return `NT AUTHORITY\LocalService`, false
	case short == "networkservice" || short == "network service":
		return `NT AUTHORITY\NetworkService`, false
	case strings.HasPrefix(strings.ToLower(a), `nt service\`), strings.HasSuffix(a, "$"):
		return a, false
	}
	return a, true
}

// AccountLabel names an SCM start name for messages ("" is LocalSystem).
func AccountLabel(startName string) string {
	if startName == "" {
		return "LocalSystem"
	}
	return startName
}

// needsLogonRight reports whether the SCM start name for service.account
// must be granted the right to log on as a service (SeServiceLogonRight)
// at install: a user account or a group managed service account. Windows
// gives that right implicitly to LocalSystem, LocalService, NetworkService
// and virtual accounts (NT SERVICE\<name>). The Services console grants it
// to any other account picked there, but CreateService and
// ChangeServiceConfig do not: without it the service fails to start with
// error 1069 (ERROR_SERVICE_LOGON_FAILED).
func needsLogonRight(account, service string) bool {
	name, needsPassword := ResolveAccount(account, service)
	if needsPassword {
		return true
	}
	return strings.HasSuffix(name, "$") && !strings.HasPrefix(strings.ToLower(name), `nt service\`)
}

// lookupName turns an SCM start name into a name LookupAccountName
// resolves: the SCM takes .\user for a local account, LookupAccountName
// does not know "." as this computer, but resolves a bare name to the
// local account first.
func lookupName(startName string) string {
	if rest, ok := strings.CutPrefix(startName, `.\`); ok {
		return rest
	}
	return startName
}
