//go:build unix

package safefs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// openNoFollow opens name with openat(2) relative to root's directory and
// O_NOFOLLOW: os.Root.OpenFile cannot be used, because it follows a
// symbolic link at the last element when the link's target is inside the
// root. O_NONBLOCK keeps an open of a FIFO from blocking until a writer or
// reader comes; check refuses the FIFO, and the flag is cleared again on a
// regular file (where it has no effect anyway).
func openNoFollow(root *os.Root, name string, flag int, perm fs.FileMode) (*os.File, error) {
	fd, err := openat(root, name, flag|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, perm)
	if err != nil {
		return nil, err
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		_ = unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), filepath.Join(root.Name(), name)), nil
}

// openat opens name relative to root's directory with openat(2), retried
// on EINTR, and returns the descriptor.
func openat(root *os.Root, name string, flag int, perm fs.FileMode) (int, error) {
	dir, err := root.Open(".")
	if err != nil {
		return -1, err
	}
	defer dir.Close()
	conn, err := dir.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var openErr error
	err = conn.Control(func(dirfd uintptr) {
		for {
			fd, openErr = unix.Openat(int(dirfd), name, flag, uint32(perm.Perm()))
			if !errors.Is(openErr, unix.EINTR) {
				return
			}
		}
	})
	if err != nil {
		return -1, err
	}
	return fd, openErr
}

// check verifies through the descriptor that f is a regular file with a
// single hard link. The symbolic-link case cannot arise: O_NOFOLLOW made
// the open fail.
func check(_ *os.Root, _ string, f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return ErrNotRegular
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
		return ErrLink
	}
	return nil
}

// isLink reports whether fi, from Lstat, describes a symbolic link.
func isLink(fi fs.FileInfo) bool { return fi.Mode()&fs.ModeSymlink != 0 }

// readDir reads the directory through a descriptor of its own, opened
// relative to root's: ReadDir on a File that root.Open returned lstats
// every entry (Go's newUnixDirent, os/file_unix.go, does so for any File
// opened in a Root), while on a File of os.NewFile it takes the type from
// the entry's d_type and stats (with fstatat, relative to the descriptor)
// only an entry whose type the file system left unknown. The descriptor is
// close-on-exec from the start, so no child started meanwhile inherits it.
func readDir(root *os.Root) ([]fs.DirEntry, error) {
	fd, err := openat(root, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "openat", Path: root.Name(), Err: err}
	}
	d := os.NewFile(uintptr(fd), root.Name())
	defer d.Close()
	return d.ReadDir(-1)
}
