package statusfile

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// OpenShared opens path for reading with FILE_SHARE_DELETE as well as read
// and write sharing. os.Open omits FILE_SHARE_DELETE, and while such a
// handle is open the running wrapper could not rename the file to rotate it:
// `wrapper logs -f` would make the log grow past max_size.
func OpenShared(path string) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return os.NewFile(uintptr(h), path), nil
}
