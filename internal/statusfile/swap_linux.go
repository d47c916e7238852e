package statusfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// swapIn puts the file tmp at path. On Linux it exchanges the two names
// (renameat2 RENAME_EXCHANGE) and removes what tmp then names, the old file
// or a link planted at path (os.Remove never follows it): a rename over an
// existing file makes ext4 start writing the new one back at once
// (auto_da_alloc), which the bench's stop case shows as a cost on every
// stop (docs/performance.md); an exchange does not. Where the exchange is
// not available (no file at path yet, a file system without it) it renames.
func swapIn(tmp, path string) error {
	if unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE) == nil {
		return os.Remove(tmp)
	}
	return os.Rename(tmp, path)
}
