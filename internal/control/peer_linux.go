package control

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// peerOf returns the process at the other end of c from SO_PEERCRED: the
// kernel records the credentials of the process that called listen() (or
// connect()), which that process cannot choose. The executable is read
// from /proc when this process may (root may).
func peerOf(c *net.UnixConn) (Peer, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return Peer{}, fmt.Errorf("peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return Peer{}, fmt.Errorf("peer credentials: %w", err)
	}
	if credErr != nil {
		return Peer{}, fmt.Errorf("peer credentials: %w", credErr)
	}
	exe, _ := os.Readlink("/proc/" + strconv.Itoa(int(cred.Pid)) + "/exe")
	return Peer{PID: int(cred.Pid), Account: strconv.Itoa(int(cred.Uid)), Label: fmt.Sprintf("uid %d", cred.Uid), Exe: exe}, nil
}
