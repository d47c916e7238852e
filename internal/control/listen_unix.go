//go:build unix

package control

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// unixListener adapts net.Listener.
type unixListener struct{ net.Listener }

func (l unixListener) Accept() (io.ReadWriteCloser, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(serveDeadline))
	return c, nil
}

// Listen serves service's endpoint at Address(service): a socket with mode
// 0600 in a 0700 directory of this process's account (prepareDir). A
// socket left by a wrapper that died is removed. A process that answers
// there is named in an ErrAlreadyRunning error; a directory another account
// could change is refused with ErrUnsafe.
func Listen(service string) (Listener, error) {
	path := Address(service)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("control socket path %s is longer than %d bytes: choose a shorter service name", path, maxSocketPath)
	}
	c, probeErr := net.DialTimeout("unix", path, time.Second)
	if probeErr == nil {
		defer c.Close()
		return nil, heldBy(path, c.(*net.UnixConn))
	}
	if err := prepareDir(filepath.Dir(path), os.Geteuid()); err != nil {
		return nil, err
	}
	// Only a socket nobody listens on (ECONNREFUSED) is stale. Any other
	// failure (a timeout under load) may be a live wrapper whose socket
	// must not be removed.
	if !errors.Is(probeErr, syscall.ECONNREFUSED) && !errors.Is(probeErr, syscall.ENOENT) {
		return nil, fmt.Errorf("%w? its control socket %s exists but does not answer: %v", ErrAlreadyRunning, path, probeErr)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
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

// heldBy is Listen's error for a socket that answers: it names the process
// serving it, so that a squatter is found at once.
func heldBy(path string, c *net.UnixConn) error {
	peer, err := peerOf(c)
	if err != nil {
		return fmt.Errorf("%w: its control socket %s answers (which process serves it is unknown: %v)", ErrAlreadyRunning, path, err)
	}
	return fmt.Errorf("%w: %s serves its control socket %s", ErrAlreadyRunning, peer, path)
}

// Dial connects to the wrapper of service and checks that want serves the
// socket (ErrImpostor otherwise). It tries clientDirs in order; a socket
// it may not open is reported with fs.ErrPermission when none is found.
func Dial(service string, want Expect) (io.ReadWriteCloser, error) {
	p := currentPlace(service)
	var first, denied error
	for _, dir := range p.clientDirs(service) {
		addr := filepath.Join(dir, sockName)
		c, err := net.DialTimeout("unix", addr, 2*time.Second)
		if err != nil {
			if denied == nil && errors.Is(err, fs.ErrPermission) {
				denied = err
			}
			if first == nil {
				first = err
			}
			continue
		}
		if err := verify(addr, c.(*net.UnixConn), want, p.euid); err != nil {
			c.Close()
			return nil, err
		}
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		return c, nil
	}
	if denied != nil {
		first = denied
	}
	return nil, fmt.Errorf("connect to the running wrapper: %w", first)
}

// verify checks the process serving c (SO_PEERCRED) against want; with no
// service manager, it must run as root or as this client's account.
func verify(addr string, c *net.UnixConn, want Expect, euid int) error {
	peer, err := peerOf(c)
	if err != nil {
		return fmt.Errorf("%w: cannot tell which process serves %s: %v", ErrImpostor, addr, err)
	}
	trusted, label := []string{"0"}, "root"
	if euid != 0 {
		trusted, label = append(trusted, strconv.Itoa(euid)), fmt.Sprintf("root or uid %d", euid)
	}
	return accept(addr, peer, want, trusted, label)
}
