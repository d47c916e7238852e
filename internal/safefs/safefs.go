// Package safefs opens files inside a directory that a less trusted account
// may write, without ever following a link planted there.
//
// The wrapper often runs as root (or LocalSystem) while the directory that
// holds its logs, status file and socket belongs to the service account.
// That account can plant a symbolic link, a junction or a hard link at any
// name in it; opening, truncating, chmodding or chowning the name would then
// act on a file anywhere on the machine. os.Root keeps operations inside the
// directory but still follows a link whose target stays inside it, and
// knows nothing of hard links: OpenFile closes both gaps.
//
// ReadDir lists the directory an os.Root holds, through its handle (not
// its path), with each entry's type as the directory records it.
//
// The other operations a caller needs act on a name itself, never on a
// link's target, and are used straight from os.Root: Lstat, Remove, Rename
// (renameat / unlinkat / fstatat with AT_SYMLINK_NOFOLLOW on Unix; opens
// with FILE_OPEN_REPARSE_POINT on Windows). Owner and mode are changed on
// the descriptor (File.Chown, File.Chmod), never through a path.
//
// The directory handed to OpenFile is trusted: every directory above the
// file's, up to the file system root, must be writable only by the account
// running the wrapper.
package safefs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

var (
	// ErrLink is returned (wrapped) by OpenFile when name is a symbolic
	// link, a junction or another reparse point, or a file with more than
	// one hard link: a name someone may have planted to aim the open at a
	// file elsewhere. The caller may remove the name (os.Root.Remove
	// removes the link itself) and create a regular file in its place.
	ErrLink = errors.New("is a link (symbolic link, junction or extra hard link)")
	// ErrNotRegular is returned (wrapped) by OpenFile when name is a
	// directory, a FIFO, a socket or a device.
	ErrNotRegular = errors.New("not a regular file")
)

// OpenFile opens the file name, which must be a single path element
// directly inside root, as os.Root.OpenFile does, but only if it is a
// regular file with one hard link, and without following a link at name:
//
//   - a symbolic link, junction or other reparse point at name fails with
//     an error wrapping ErrLink, and so does a regular file with more than
//     one hard link, whatever flag holds; with O_CREATE|O_EXCL any existing
//     name fails with an error wrapping fs.ErrExist;
//   - a directory, FIFO, socket or device fails with an error wrapping
//     ErrNotRegular, and opening a FIFO never blocks;
//   - O_TRUNC truncates only after these checks (through the descriptor),
//     so it can never empty a file that another name links to.
//
// A new file gets perm as modified by the umask; set the exact mode with
// File.Chmod. The returned file is an ordinary blocking *os.File.
func OpenFile(root *os.Root, name string, flag int, perm fs.FileMode) (*os.File, error) {
	if !isElement(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a single path element")}
	}
	f, err := openNoFollow(root, name, flag&^os.O_TRUNC, perm)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: filepath.Join(root.Name(), name), Err: classify(root, name, err)}
	}
	if err := check(root, name, f); err != nil {
		_ = f.Close()
		return nil, &fs.PathError{Op: "open", Path: f.Name(), Err: err}
	}
	if flag&os.O_TRUNC != 0 {
		if err := f.Truncate(0); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("truncate %s: %w", f.Name(), err)
		}
	}
	return f, nil
}

// isElement reports whether name is one path element: the kernel follows
// links in every element but the last, so an open relative to the
// directory is link-safe only for a name without separators.
func isElement(name string) bool {
	return name != "" && name != "." && name != ".." &&
		!strings.ContainsAny(name, `/\`) && filepath.IsLocal(name)
}

// classify turns a failed open into ErrLink or ErrNotRegular when the name
// is one of those, which the open's own error does not always say (a
// FIFO with no reader fails with ENXIO, a junction with "is a directory").
func classify(root *os.Root, name string, err error) error {
	if errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
		return err
	}
	fi, lerr := root.Lstat(name)
	switch {
	case lerr != nil:
		return err
	case isLink(fi):
		return ErrLink
	case !fi.Mode().IsRegular():
		return ErrNotRegular
	}
	return err
}

// ReadDir returns the entries of root's directory, in directory order, read
// through root's own handle, never its path. Each entry's Type (and IsDir)
// is the type the directory records for the name, as os.ReadDir gives it,
// so listing costs no stat per entry where the file system records types
// (ext4, btrfs, tmpfs, XFS formatted with ftype=1, NTFS; elsewhere Go stats
// the entry relative to the handle). A link's type is that of the link itself. Info stats the
// name with os.Root.Lstat, which does not follow a link either.
func ReadDir(root *os.Root) ([]fs.DirEntry, error) {
	ents, err := readDir(root)
	if err != nil {
		return nil, err
	}
	for i, e := range ents {
		ents[i] = dirEntry{e, root}
	}
	return ents, nil
}

// dirEntry is an entry of ReadDir: its Info goes through the Root.
type dirEntry struct {
	fs.DirEntry
	root *os.Root
}

func (e dirEntry) Info() (fs.FileInfo, error) { return e.root.Lstat(e.Name()) }
func (e dirEntry) String() string             { return fs.FormatDirEntry(e) }
