package scm

import (
	"slices"
	"testing"
)

// TestOutsiders decides, below the OS call, who can change an object from
// its owner and DACL: the accounts a default C:\ and an admin-made folder
// under it name, a user's write on a file, planting rights on the folder
// that holds it, and rights that matter only for some roles.
func TestOutsiders(t *testing.T) {
	const (
		system, admins, users, authUsers = "S-1-5-18", "S-1-5-32-544", "S-1-5-32-545", "S-1-5-11"
		bob                              = "S-1-5-21-1-2-3-1001"
		readExecute                      = 0x1200a9
		modify                           = 0x1301bf
		fullControl                      = 0x1f01ff
	)
	trusted := func(sid string) bool { return sid == system || sid == admins }
	// C:\ as Windows installs it: Authenticated Users may create folders
	// there, and get Modify on what they create (inherit only).
	volumeRoot := []ace{{admins, true, false, fullControl}, {system, true, false, fullControl},
		{users, true, false, readExecute}, {authUsers, true, false, fileAppendData},
		{authUsers, true, true, modify}, {sidCreatorOwner, true, true, 0x10000000}}
	// C:\app made by an administrator inherits those entries without the
	// inherit-only flag: Authenticated Users may change it.
	inherited := []ace{{admins, true, false, fullControl}, {system, true, false, fullControl},
		{users, true, false, readExecute}, {authUsers, true, false, modify}}
	tests := []struct {
		name string
		info securityInfo
		r    role
		want []string // SIDs
	}{
		{"volume root as an ancestor", securityInfo{admins, false, volumeRoot}, roleAncestor, nil},
		{"volume root holding the file", securityInfo{admins, false, volumeRoot}, roleFolder, nil},
		{"admin-made folder under C:\\", securityInfo{admins, false, inherited}, roleFolder, []string{authUsers}},
		{"file in it", securityInfo{admins, false, inherited}, roleFile, []string{authUsers}},
		{"Program Files", securityInfo{trustedInstallerSID, false, []ace{{system, true, false, fullControl},
			{admins, true, false, fullControl}, {users, true, false, readExecute}}}, roleFolder, []string{trustedInstallerSID}},
		{"owned by a user", securityInfo{bob, false, nil}, roleFile, []string{bob}},
		{"no DACL", securityInfo{admins, true, nil}, roleAncestor, []string{"S-1-1-0"}},
		{"add files where the program is", securityInfo{admins, false, []ace{{users, true, false, fileWriteData}}}, roleFolder, []string{users}},
		{"add files further up", securityInfo{admins, false, []ace{{users, true, false, fileWriteData}}}, roleAncestor, nil},
		{"delete entries further up", securityInfo{admins, false, []ace{{users, true, false, fileDeleteChild}}}, roleAncestor, []string{users}},
		{"deny does not cancel", securityInfo{admins, false, []ace{{bob, false, false, fullControl}, {bob, true, false, genericWrite}}}, roleFile, []string{bob}},
		{"placeholders grant nothing", securityInfo{admins, false, []ace{{sidCreatorOwner, true, false, fullControl},
			{sidOwnerRights, true, false, fullControl}}}, roleFile, nil},
	}
	for _, tt := range tests {
		// TrustedInstaller is trusted in the real check; here it stands for
		// an owner the caller does not trust.
		var got []string
		for _, o := range outsiders(tt.info, tt.r, trusted) {
			got = append(got, o.sid)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: outsiders %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := rightNames(fileWriteData | rightDelete); got != "write data or add files, delete" {
		t.Errorf("rightNames = %q", got)
	}
}
