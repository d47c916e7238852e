//go:build unix

package logrotate

import (
	"io/fs"
	"os"
	"syscall"
)

// keepModeAndOwner gives f, a file this process has just created from prev
// (the new log file in place of the one rotated, or the compressed copy of
// a backup), prev's permission bits and owner: an operator who let a group
// read the logs keeps that across rotations and compression. Both are changed through the
// descriptor, never the path, so a link planted at the name in between can
// not redirect them. Failures are ignored (a wrapper not running as root
// cannot give a file away): the file keeps 0o600 and this process's owner.
func keepModeAndOwner(f *os.File, prev fs.FileInfo) {
	if perm := prev.Mode().Perm(); perm != 0o600 {
		_ = f.Chmod(perm)
	}
	st, ok := prev.Sys().(*syscall.Stat_t)
	if !ok || (int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid()) {
		return
	}
	_ = f.Chown(int(st.Uid), int(st.Gid))
}
