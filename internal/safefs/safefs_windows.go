package safefs

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// openNoFollow opens name through os.Root with FILE_FLAG_OPEN_REPARSE_POINT
// added to the flags: Go (1.26, this module's version) passes the
// FILE_FLAG_* bits of OpenFile's flag through to the open, and os.Root's
// internal/syscall/windows.Openat maps this one to FILE_OPEN_REPARSE_POINT.
// os.Root opens relative to the directory handle
// with NtCreateFile and OBJ_DONT_REPARSE; with FILE_OPEN_REPARSE_POINT the
// open of a symbolic link or junction at name yields the reparse point
// itself instead of its target, so Root's own resolution of links (which
// follows one whose target is inside the root) never starts. check then
// refuses the reparse point. os.Root.Lstat opens with the same two flags.
//
// O_TRUNC is never passed here (OpenFile strips it): the truncation that
// Go's Windows open performs itself would come before check.
func openNoFollow(root *os.Root, name string, flag int, perm fs.FileMode) (*os.File, error) {
	return root.OpenFile(name, flag|windows.FILE_FLAG_OPEN_REPARSE_POINT, perm)
}

// check verifies through the handle that f is neither a reparse point nor
// a directory and has a single hard link, then, as a second line of
// defence, that name still names f itself: were a link at name ever
// followed, the link's own file ID (os.Root.Lstat does not follow) would
// differ from that of the file opened.
func check(root *os.Root, name string, f *os.File) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var info windows.ByHandleFileInformation
	var infoErr error
	if err := conn.Control(func(h uintptr) {
		infoErr = windows.GetFileInformationByHandle(windows.Handle(h), &info)
	}); err != nil {
		return err
	}
	if infoErr != nil {
		return infoErr
	}
	switch {
	case info.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0:
		return ErrLink
	case info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0:
		return ErrNotRegular
	case info.NumberOfLinks > 1:
		return ErrLink
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		// A pipe or console handle: not a file on disk.
		return ErrNotRegular
	}
	li, err := root.Lstat(name)
	if err != nil {
		return err
	}
	if !os.SameFile(fi, li) {
		return ErrLink
	}
	return nil
}

// isLink reports whether fi, from os.Root.Lstat, describes a symbolic link,
// a junction or another reparse point. Go reports a junction as
// ModeIrregular, not ModeSymlink, so the attribute is checked as well.
func isLink(fi fs.FileInfo) bool {
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return true
	}
	d, ok := fi.Sys().(*syscall.Win32FileAttributeData)
	return ok && d.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0
}

// readDir reads the directory through root: on Windows the listing itself
// carries each entry's attributes, and ReadDir stats no entry.
func readDir(root *os.Root) ([]fs.DirEntry, error) {
	dir, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	return dir.ReadDir(-1)
}
