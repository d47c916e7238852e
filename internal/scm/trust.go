package scm

import "strings"

// Access rights of a file or folder (winnt.h), repeated here so that the
// decision below builds and is tested on every platform.
const (
	fileWriteData   = 0x2        // FILE_WRITE_DATA; FILE_ADD_FILE on a folder
	fileAppendData  = 0x4        // FILE_APPEND_DATA; FILE_ADD_SUBDIRECTORY on a folder
	fileDeleteChild = 0x40       // FILE_DELETE_CHILD: delete or rename any entry of a folder
	rightDelete     = 0x10000    // DELETE: delete or rename the object itself
	rightWriteDAC   = 0x40000    // WRITE_DAC: rewrite the permissions
	rightWriteOwner = 0x80000    // WRITE_OWNER: take ownership
	genericAll      = 0x10000000 // GENERIC_ALL
	genericWrite    = 0x40000000 // GENERIC_WRITE
)

// Well-known SIDs the check treats specially.
const (
	sidCreatorOwner = "S-1-3-0" // placeholders, replaced when an ACE is inherited:
	sidCreatorGroup = "S-1-3-1" // in an object's own DACL they grant nothing
	sidOwnerRights  = "S-1-3-4" // OWNER RIGHTS: the owner, checked as such
	// trustedInstallerSID is NT SERVICE\TrustedInstaller, which owns the
	// system's own files.
	trustedInstallerSID = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
)

// role is what an object is to the service, which decides the rights
// that matter.
type role int

const (
	// roleFile is a file the service trusts: nobody else may change,
	// replace or re-permission it.
	roleFile role = iota
	// roleFolder holds such a file: nobody else may add to it either, or
	// they could plant a DLL the program loads from its own folder, or a
	// <exe-name>.yaml that the wrapper prefers to wrapper.yaml.
	roleFolder
	// roleAncestor is a folder further up: nobody else may remove, rename
	// or re-permission what it holds. Adding entries is harmless there
	// (every volume root lets users create folders).
	roleAncestor
)

// rights are the access rights that let another account change an
// object of role r, as the service would see it.
func (r role) rights() uint32 {
	all := uint32(rightDelete | rightWriteDAC | rightWriteOwner | genericAll)
	switch r {
	case roleFile:
		return all | fileWriteData | fileAppendData | genericWrite
	case roleFolder:
		return all | fileWriteData | fileDeleteChild | genericWrite
	}
	return all | fileDeleteChild
}

// ace is one entry of a DACL as the check needs it.
type ace struct {
	sid         string
	allow       bool // an access-allowed entry (deny entries are not trusted to cancel one)
	inheritOnly bool // applies to children only, not to the object
	mask        uint32
}

// securityInfo is an object's owner and DACL; nullDACL means it has none,
// which grants everybody everything.
type securityInfo struct {
	owner    string
	nullDACL bool
	aces     []ace
}

// outsider is an account that can change an object: its SID, and the
// rights it has ("" for the owner, who may always rewrite the DACL).
type outsider struct{ sid, rights string }

// outsiders returns who, besides the trusted SIDs, can change an object of
// role r: its owner, and each SID that an effective allow entry gives one
// of r's rights. Deny entries are ignored, so the answer errs on the side
// of refusing.
func outsiders(info securityInfo, r role, trusted func(sid string) bool) []outsider {
	var out []outsider
	if !trusted(info.owner) {
		out = append(out, outsider{sid: info.owner})
	}
	if info.nullDACL {
		return append(out, outsider{sid: "S-1-1-0", rights: "no DACL: full control"})
	}
	for _, e := range info.aces {
		switch {
		case !e.allow || e.inheritOnly || e.mask&r.rights() == 0:
		case e.sid == sidCreatorOwner, e.sid == sidCreatorGroup, e.sid == sidOwnerRights, trusted(e.sid):
		default:
			out = append(out, outsider{sid: e.sid, rights: rightNames(e.mask & r.rights())})
		}
	}
	return out
}

// rightNames spells a mask of the rights above for messages.
func rightNames(mask uint32) string {
	names := []struct {
		bit  uint32
		name string
	}{{genericAll, "full control"}, {genericWrite, "write"}, {fileWriteData, "write data or add files"},
		{fileAppendData, "append"}, {fileDeleteChild, "delete entries"}, {rightDelete, "delete"},
		{rightWriteDAC, "change permissions"}, {rightWriteOwner, "take ownership"}}
	var out []string
	for _, n := range names {
		if mask&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, ", ")
}
