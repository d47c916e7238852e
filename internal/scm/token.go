package scm

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// SID types of SERVICE_SID_INFO (winsvc.h), repeated here so that the
// mapping builds and is tested on every platform.
const (
	sidTypeNone         = 0
	sidTypeUnrestricted = 1
	sidTypeRestricted   = 3 // SERVICE_SID_TYPE_RESTRICTED includes unrestricted
)

// sidTypeValue maps service.sid_type to SERVICE_SID_INFO's value; "" is
// unrestricted, the wrapper's default: the control pipe admits the service
// SID rather than the account, which other services may share.
func sidTypeValue(t string) (uint32, error) {
	switch t {
	case "", "unrestricted":
		return sidTypeUnrestricted, nil
	case "restricted":
		return sidTypeRestricted, nil
	case "none":
		return sidTypeNone, nil
	}
	return 0, fmt.Errorf("unknown service SID type %q", t)
}

// sidTypeName is sidTypeValue's inverse, for drift messages.
func sidTypeName(v uint32) string {
	switch v {
	case sidTypeNone:
		return "none"
	case sidTypeUnrestricted:
		return "unrestricted"
	case sidTypeRestricted:
		return "restricted"
	}
	return fmt.Sprintf("%#x", v)
}

// multiSZ encodes names as a multi-string: each name NUL-terminated, then
// an empty string. No names is two NULs, the empty list (which clears
// dependencies and required privileges).
func multiSZ(names []string) []uint16 {
	var b []uint16
	for _, n := range names {
		b = append(append(b, utf16.Encode([]rune(n))...), 0)
	}
	b = append(b, 0)
	if len(names) == 0 {
		b = append(b, 0)
	}
	return b
}

// parseMultiSZ decodes a multi-string read back from the SCM.
func parseMultiSZ(b []uint16) []string {
	var out []string
	for len(b) > 0 && b[0] != 0 {
		end := 0
		for end < len(b) && b[end] != 0 {
			end++
		}
		out = append(out, string(utf16.Decode(b[:end])))
		b = b[min(end+1, len(b)):]
	}
	return out
}

// logDirGrantees are the accounts install grants the log directory to:
// the service's account, unless LocalSystem, which can write anywhere; and
// with a restricted SID type also the service SID, since a write-restricted
// token writes only where one of its restricting SIDs (the service SID,
// Everyone, the logon SID, WRITE RESTRICTED) is granted too, whatever
// the account may.
func logDirGrantees(startName, service, sidType string) []string {
	var out []string
	if startName != "" && !strings.EqualFold(startName, "LocalSystem") {
		out = append(out, startName)
	}
	serviceSID := `NT SERVICE\` + service
	if sidType == "restricted" && !strings.EqualFold(startName, serviceSID) {
		out = append(out, serviceSID)
	}
	return out
}

// samePrivileges compares privilege lists as sets, ignoring case (as
// Windows does).
func samePrivileges(a, b []string) bool {
	norm := func(l []string) []string {
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = strings.ToLower(s)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}

// listOrNone spells a privilege list for messages.
func listOrNone(l []string) string {
	if len(l) == 0 {
		return "not set"
	}
	return "[" + strings.Join(l, ", ") + "]"
}
