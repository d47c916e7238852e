//go:build !unix

package logrotate

import (
	"io/fs"
	"os"
)

// keepModeAndOwner does nothing: Windows file modes carry only a read-only
// bit, and a new file inherits its access control list from the directory.
func keepModeAndOwner(*os.File, fs.FileInfo) {}
