//go:build unix

package supervisor

import "syscall"

// runAs makes the child start as the account: os/exec's child sets the
// supplementary groups, the group and the user, in that order, after the
// fork and before the program runs (and the parent-death signal after
// them, as the kernel clears it when the ids change).
func runAs(a *syscall.SysProcAttr, acct *Account) {
	a.Credential = &syscall.Credential{Uid: acct.UID, Gid: acct.GID, Groups: acct.Groups}
}
