//go:build unix

package supervisor

import (
	"fmt"
	"os"
	"slices"
	"syscall"
)

// readableBy reports an error unless acct (nil: the wrapper's own account,
// which opened f) may read f by its mode bits: as its owner, through its
// group or a supplementary group, or as anybody. An ACL that grants more
// than the mode bits show is not honoured: such a file is refused.
func readableBy(f *os.File, acct *Account) error {
	if acct == nil {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	mode := fi.Mode().Perm()
	switch {
	case st.Uid == acct.UID:
		if mode&0o400 != 0 {
			return nil
		}
	case st.Gid == acct.GID || slices.Contains(acct.Groups, st.Gid):
		if mode&0o040 != 0 {
			return nil
		}
	case mode&0o004 != 0:
		return nil
	}
	return fmt.Errorf("the program's account (uid %d) may not read it (owner uid %d, group gid %d, mode %#o): "+
		"the wrapper gives the program only what its account could open itself", acct.UID, st.Uid, st.Gid, mode)
}
