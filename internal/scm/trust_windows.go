package scm

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Trust checks, for install, that no account but the administrators can
// change a file the service trusts, as sshd's StrictModes does on Unix:
// whoever can change the wrapper, the YAML, the env_file or a program it
// runs decides what runs as the service's account. Trusted are
// LocalSystem, the Administrators group, TrustedInstaller and the
// installing user. It reads owners and DACLs (see role for the rights that
// count); Check is called per file.
type Trust struct {
	trusted map[string]bool // SID strings
	seen    map[string]bool
}

// NewTrust returns a checker that trusts the accounts above.
func NewTrust() (*Trust, error) {
	t := &Trust{trusted: map[string]bool{trustedInstallerSID: true}, seen: map[string]bool{}}
	for _, k := range []windows.WELL_KNOWN_SID_TYPE{windows.WinLocalSystemSid, windows.WinBuiltinAdministratorsSid} {
		sid, err := windows.CreateWellKnownSid(k)
		if err != nil {
			return nil, fmt.Errorf("well-known SID %d: %w", k, err)
		}
		t.trusted[sid.String()] = true
	}
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("the installing user: %w", err)
	}
	t.trusted[u.User.Sid.String()] = true
	return t, nil
}

// Check returns, for path, its folder and every folder above it (for a
// link also along its target), who else can change it, one line each:
// "C:\app\app.yaml: Everyone (S-1-1-0) can change it: write data or add
// files". Each object is reported once per Trust. The error is for an
// object whose security cannot be read.
func (t *Trust) Check(path string) ([]string, error) {
	paths := []string{path}
	if real, err := filepath.EvalSymlinks(path); err == nil && !strings.EqualFold(real, path) {
		paths = append(paths, real)
	}
	var found []string
	for _, p := range paths {
		f, err := t.check(p, roleFile)
		found = append(found, f...)
		if err != nil {
			return found, err
		}
		r := roleFolder
		for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
			f, err := t.check(dir, r)
			found = append(found, f...)
			if err != nil {
				return found, err
			}
			if filepath.Dir(dir) == dir {
				break
			}
			r = roleAncestor
		}
	}
	return found, nil
}

// check reports who else can change path in role r, once per Trust.
func (t *Trust) check(path string, r role) ([]string, error) {
	key := fmt.Sprintf("%d %s", r, strings.ToLower(path))
	if t.seen[key] {
		return nil, nil
	}
	t.seen[key] = true
	info, err := readSecurity(path)
	if err != nil {
		return nil, fmt.Errorf("read the permissions of %s: %w", path, err)
	}
	var found []string
	for _, o := range outsiders(info, r, func(sid string) bool { return t.trusted[sid] }) {
		if o.rights == "" {
			found = append(found, fmt.Sprintf("%s: owned by %s, who can change it", path, sidLabel(o.sid)))
		} else {
			found = append(found, fmt.Sprintf("%s: %s can change it: %s", path, sidLabel(o.sid), o.rights))
		}
	}
	return found, nil
}

// readSecurity reads an object's owner and DACL.
func readSecurity(path string) (securityInfo, error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return securityInfo{}, err
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return securityInfo{}, fmt.Errorf("owner: %w", err)
	}
	info := securityInfo{owner: owner.String()}
	dacl, _, err := sd.DACL()
	switch {
	case errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND), err == nil && dacl == nil:
		info.nullDACL = true // no DACL at all grants everybody everything
		return info, nil
	case err != nil:
		return securityInfo{}, fmt.Errorf("DACL: %w", err)
	}
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var e *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &e); err != nil {
			return securityInfo{}, fmt.Errorf("DACL entry %d: %w", i, err)
		}
		sid := (*windows.SID)(unsafe.Pointer(&e.SidStart))
		info.aces = append(info.aces, ace{
			sid: sid.String(),
			// ACCESS_ALLOWED_ACE_TYPE, or ACCESS_ALLOWED_CALLBACK_ACE_TYPE
			// (9), whose condition is not evaluated here: it may allow.
			allow:       e.Header.AceType == windows.ACCESS_ALLOWED_ACE_TYPE || e.Header.AceType == 9,
			inheritOnly: e.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0,
			mask:        uint32(e.Mask),
		})
	}
	return info, nil
}

// sidLabel names a SID for messages: "BUILTIN\Users (S-1-5-32-545)".
func sidLabel(s string) string {
	sid, err := windows.StringToSid(s)
	if err != nil {
		return s
	}
	account, domain, _, err := sid.LookupAccount("")
	switch {
	case err != nil:
		return s
	case domain == "":
		return fmt.Sprintf("%s (%s)", account, s)
	}
	return fmt.Sprintf(`%s\%s (%s)`, domain, account, s)
}
