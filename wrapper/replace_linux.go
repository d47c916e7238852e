package wrapper

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// statusSpare returns the file that replaceFile writes before swapping it
// in for path. On Linux it stays beside path and holds the previous
// version.
func statusSpare(path string) string { return path + ".tmp" }

// replaceFile replaces the file at path with data so that a reader that
// opens path sees the old or the new content, never a mix of them.
//
// It writes data into the spare file in place and swaps the two names with
// renameat2(RENAME_EXCHANGE): the spare then holds the previous version and
// is overwritten by the next call. The usual write of a new file and a
// rename over the old one creates and frees an inode on every call, and on
// ext4 the rename over an existing file also starts the write-back of the
// new one (auto_da_alloc). For the status file, rewritten on every state
// change, that cost 0.4 ms on the way out of every wrapper run and made
// each run 0.6 ms slower, start to exit (docs/performance.md); on an ext4
// without a journal freed inodes also slow every file created after them
// in the directory, the log rotations included. The spare is not
// truncated to zero before it is written, which would start the same
// write-back when it is closed.
//
// The price: a reader that opened path before one swap and reads after the
// next call began may see a mix. A reader that opens and reads at once
// does not, nor does `wrapper status`, which reads the file when no
// wrapper is running. Where the exchange is not available (no file at path
// yet, a filesystem or kernel without it) it falls back to a plain rename.
func replaceFile(path string, data []byte) error {
	spare := statusSpare(path)
	f, err := os.OpenFile(spare, os.O_WRONLY|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrPermission) {
		// A spare left by another user (a `sudo wrapper run` before the
		// service account took over): replace it with our own.
		if rerr := os.Remove(spare); rerr == nil {
			f, err = os.OpenFile(spare, os.O_WRONLY|os.O_CREATE, 0o644)
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", spare, err)
	}
	_, err = f.WriteAt(data, 0)
	if err == nil {
		err = f.Truncate(int64(len(data)))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", spare, err)
	}
	if unix.Renameat2(unix.AT_FDCWD, spare, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE) == nil {
		return nil
	}
	if err := os.Rename(spare, path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
