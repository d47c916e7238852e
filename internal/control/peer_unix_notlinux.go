//go:build unix && !linux

package control

import (
	"errors"
	"net"
)

// peerOf is Linux's SO_PEERCRED; elsewhere the client cannot check who
// serves the socket, and refuses it (Linux and Windows are the targets).
func peerOf(*net.UnixConn) (Peer, error) {
	return Peer{}, errors.New("peer credentials are implemented on Linux only")
}
