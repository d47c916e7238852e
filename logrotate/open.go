package logrotate

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/wrapper-dev/wrapper/internal/safefs"
)

// linkTries is how many links in a row openFileLocked removes from the
// log file's name before giving up for this write: an account that plants
// them faster than they are removed makes the writes fail (and count as
// dropped), never follow one.
const linkTries = 3

// openLocked makes sure the log directory and the current file are open,
// recreating either when missing (the directory 0o755, the file 0o600).
func (f *File) openLocked(rep *report) error {
	if f.fh != nil {
		return nil
	}
	if f.root == nil {
		if err := os.MkdirAll(f.dir, 0o755); err != nil {
			return fmt.Errorf("create log directory: %w", err)
		}
		root, err := os.OpenRoot(f.dir)
		if err != nil {
			return fmt.Errorf("open log directory: %w", err)
		}
		fi, err := root.Stat(".")
		if err != nil {
			_ = root.Close()
			return fmt.Errorf("open log directory: %w", err)
		}
		f.root, f.rootIdent = root, fi
	}
	fh, err := f.openFileLocked(rep)
	if err != nil {
		// The directory may be the cause (removed, replaced): the next
		// attempt opens it again by its path.
		_ = f.closeLocked()
		return err // an *fs.PathError: "open <path>: ..."
	}
	return f.adoptLocked(fh)
}

// openFileLocked opens the current file for appending, creating it when
// missing. A link at its name (a symbolic link, a junction or a second
// hard link, which the account owning the directory may plant to aim the
// wrapper's output at any file) is never followed: it is removed (the link
// itself, not its target), reported, and a regular file created instead.
func (f *File) openFileLocked(rep *report) (*os.File, error) {
	for try := 1; ; try++ {
		fh, err := safefs.OpenFile(f.root, f.base, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
		if !errors.Is(err, safefs.ErrLink) || try == linkTries {
			return fh, err
		}
		if rerr := f.root.Remove(f.base); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove the link in place of log %s: %w", f.path, rerr)
		}
		rep.add(slog.LevelWarn, "a link was found in place of the log file; it was removed, not followed, and a regular file created instead",
			slog.Any("err", err))
	}
}

// adoptLocked makes fh the current file. Its size and identity come from
// the descriptor; if that fails, fh is closed.
func (f *File) adoptLocked(fh *os.File) error {
	fi, err := fh.Stat()
	if err != nil {
		_ = fh.Close()
		return fmt.Errorf("open log %s: %w", f.path, err)
	}
	f.fh, f.ident, f.size = fh, fi, fi.Size()
	return nil
}

// closeLocked closes the current file and the directory; the next write
// opens both again.
func (f *File) closeLocked() error {
	var err error
	if f.fh != nil {
		err = f.fh.Close()
	}
	if f.root != nil {
		_ = f.root.Close()
	}
	f.fh, f.ident, f.root, f.rootIdent = nil, nil, nil, nil
	return err
}

// checkLocked closes the file, at most once per checkEvery, when the path no
// longer names it (or the directory's path no longer names the directory);
// the next write reopens both (recreating a removed directory, replacing a
// link). Unix lets a process write on into a file that was deleted,
// renamed away or whose directory was removed, and so does Windows for a
// file opened through os.Root (with delete sharing): without this check
// the output would vanish, unseen and uncounted, until the next rotation.
// It costs two stat calls per checkEvery, none on other writes.
func (f *File) checkLocked(now time.Time) {
	if f.fh == nil {
		return
	}
	if now.Before(f.nextCheck) {
		return
	}
	f.nextCheck = now.Add(f.checkEvery)
	if fi, err := f.root.Lstat(f.base); err == nil && os.SameFile(fi, f.ident) {
		if di, err := os.Stat(f.dir); err == nil && os.SameFile(di, f.rootIdent) {
			return
		}
	}
	_ = f.closeLocked() // nothing to retry: the next write reopens
}

// terminateLastLine appends '\n' to f (opened for reading and appending)
// when its last byte is not one, and returns f's size afterwards.
func terminateLastLine(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, fi.Size()-1); err != nil {
		return 0, err
	}
	if last[0] == '\n' {
		return fi.Size(), nil
	}
	if _, err := f.Write([]byte{'\n'}); err != nil {
		return 0, err
	}
	return fi.Size() + 1, nil
}
