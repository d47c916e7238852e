package control

import (
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// serviceSID is the SID of `NT SERVICE\<name>`: S-1-5-80 followed by the
// SHA-1 of the upper-cased name in UTF-16LE, read as five little-endian
// 32-bit numbers. The SCM puts it in the service's token when the service's
// SID type is unrestricted. Computed rather than looked up
// (LookupAccountName) because Wine knows no service SIDs. Service names are
// ASCII (config's name rule), so strings.ToUpper is Windows' upper case.
func serviceSID(name string) string {
	u := utf16.Encode([]rune(strings.ToUpper(name)))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	h := sha1.Sum(b)
	sid := "S-1-5-80"
	for i := 0; i < len(h); i += 4 {
		sid += fmt.Sprintf("-%d", binary.LittleEndian.Uint32(h[i:]))
	}
	return sid
}

// pipeSDDL is the control pipe's security descriptor: full access for
// LocalSystem, Administrators and the service (its service SID), and for
// the account the wrapper runs as unless that account is LocalService or
// NetworkService, which many services share, and the token carries the
// service SID instead (hasServiceSID). Without the service SID in its
// token (a service installed with SID type none) a wrapper running as
// LocalService keeps its account's entry: it needs it to create the pipe's
// next instances.
func pipeSDDL(service, user string, hasServiceSID bool) string {
	sd := "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + serviceSID(service) + ")"
	shared := user == sidLocalService || user == sidNetworkService
	if user != sidLocalSystem && (!shared || !hasServiceSID) {
		sd += "(A;;GA;;;" + user + ")"
	}
	return sd
}
