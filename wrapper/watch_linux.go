package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watchSettle lets an editor finish saving (several writes, or a write to a
// temporary file and a rename) before the reload reads the file.
const watchSettle = 200 * time.Millisecond

// watchConfig reloads when the YAML changes, until ctx ends. It watches the
// file's folder with inotify, so editors that save by renaming a new file
// over the old one are seen too, and the wrapper sleeps until something
// happens (polling woke it several times a second; docs/performance.md).
// Without inotify it falls back to polling.
func (h *host) watchConfig(ctx context.Context) {
	path := h.config().File
	f, err := inotifyDir(filepath.Dir(path))
	if err != nil {
		h.logger.Warn("cannot watch the configuration with inotify; polling instead", "err", err)
		h.pollConfig(ctx)
		return
	}
	changed := make(chan struct{}, 1)
	go func() { <-ctx.Done(); f.Close() }() // unblocks the read below
	go readInotify(f, filepath.Base(path), changed)
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			settle.Reset(watchSettle)
		case <-settle.C:
			h.logger.Info("configuration file changed, reloading", "config", path)
			_, _ = h.reload()
		}
	}
}

// inotifyDir returns a non-blocking inotify descriptor, as an *os.File
// served by Go's poller, watching dir for files written or moved in.
func inotifyDir(dir string) (*os.File, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_CREATE); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("inotify watch %s: %w", dir, err)
	}
	return os.NewFile(uintptr(fd), "inotify"), nil
}

// readInotify reads events from f until it is closed and signals changed
// (without blocking) for every event naming base.
func readInotify(f *os.File, base string, changed chan<- struct{}) {
	buf := make([]byte, 64<<10)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			if string(bytes.TrimRight(name, "\x00")) == base {
				select {
				case changed <- struct{}{}:
				default:
				}
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
}
