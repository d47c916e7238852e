package wrapper

import "strings"

// resolveAccount maps the YAML's service.account to the name the SCM takes,
// and reports whether that account needs a password at install time.
//
//	""                          → NT SERVICE\<name>, the virtual account: least privilege, no password
//	LocalSystem                 → LocalSystem
//	LocalService, NetworkService (with or without NT AUTHORITY\) → NT AUTHORITY\...
//	NT SERVICE\x                → as is
//	DOMAIN\name$                → a group managed service account: as is, no password
//	anything else               → a user account: needs a password
func resolveAccount(account, service string) (startName string, needsPassword bool) {
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

// accountLabel names an SCM start name for messages ("" is LocalSystem).
func accountLabel(startName string) string {
	if startName == "" {
		return "LocalSystem"
	}
	return startName
}
