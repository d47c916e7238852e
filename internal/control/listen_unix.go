//go:build unix

package control

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// maxSocketPath is the usable length of a Unix socket path (sun_path is
// 108 bytes on Linux, 104 on the BSDs, and needs its NUL).
const maxSocketPath = 103

// Address is service name's socket beside its logs: the log directory is
// the one place both the service (even under systemd's
// ProtectSystem=strict) and an operator's CLI can reach.
func Address(logDir, name string) string {
	return filepath.Join(logDir, name+".control.sock")
}

// unixListener adapts net.Listener.
type unixListener struct{ net.Listener }

func (l unixListener) Accept() (io.ReadWriteCloser, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a stuck client cannot pin a goroutine
	return c, nil
}

// Listen creates the socket at path with mode 0600. A socket left by a
// wrapper that died is removed; one that answers means another wrapper
// runs (ErrAlreadyRunning).
func Listen(path string) (Listener, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("control socket path %s is longer than %d bytes: choose a shorter log.dir", path, maxSocketPath)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return nil, fmt.Errorf("%w (its control socket %s answers)", ErrAlreadyRunning, path)
	}
	// Only a socket nobody listens on (ECONNREFUSED) is stale. Any other
	// failure (EACCES: another user's wrapper; a timeout under load) may be
	// a live wrapper whose socket must not be removed.
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) {
		return nil, fmt.Errorf("%w? its control socket %s exists but does not answer: %v", ErrAlreadyRunning, path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale control socket: %w", err)
	}
	// The umask makes the socket 0600 from its creation: a chmod afterwards
	// would leave a moment in which anyone could connect.
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("listen on control socket: %w", err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(true)
	return unixListener{l}, nil
}

// Dial connects to the wrapper listening at path.
func Dial(path string) (io.ReadWriteCloser, error) {
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connect to the running wrapper: %w", err)
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	return c, nil
}
