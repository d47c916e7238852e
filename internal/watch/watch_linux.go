package watch

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

// File calls changed after path changes (once the writes settle), until
// ctx ends. It watches the file's folder with inotify, so editors that save
// by renaming a new file over the old one are seen too, and the wrapper
// sleeps until something happens. Without inotify it calls fallback with
// the reason and polls instead.
func File(ctx context.Context, path string, changed func(), fallback func(error)) {
	f, err := inotifyDir(filepath.Dir(path))
	if err != nil {
		fallback(err)
		Poll(ctx, path, changed)
		return
	}
	events := make(chan struct{}, 1)
	go func() { <-ctx.Done(); f.Close() }() // unblocks the read below
	go readInotify(f, filepath.Base(path), events)
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-events:
			settle.Reset(watchSettle)
		case <-settle.C:
			changed()
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
