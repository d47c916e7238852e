package control

import (
	"errors"
	"fmt"
	"slices"
)

// ErrImpostor is returned by Dial and Ask when the endpoint is served by a
// process that is not the wrapper: an account that could reach the
// endpoint's place bound its own server there, and its answers would be
// forged.
var ErrImpostor = errors.New("refusing to talk to a process that is not the wrapper")

// Well-known Windows SIDs: LocalSystem is trusted at the other end of the
// pipe; LocalService and NetworkService are shared by many services, so
// the pipe's ACL admits them only when it must (pipeSDDL).
const (
	sidLocalSystem    = "S-1-5-18"
	sidLocalService   = "S-1-5-19"
	sidNetworkService = "S-1-5-20"
)

// Expect says which process a client accepts as the wrapper.
type Expect struct {
	// PID is the process the service manager runs for the service
	// (systemd's MainPID, the SCM's process id), 0 when it runs none. A
	// service manager's answer cannot be forged by a service account,
	// unlike anything in the log directory (the status file).
	PID int
	// Manager names the service manager PID comes from, for messages.
	Manager string
}

// Peer is the process at the other end of an endpoint, as the operating
// system reports it (SO_PEERCRED, GetNamedPipeServerProcessId).
type Peer struct {
	PID int
	// Account is the account it runs as: a uid in decimal on Unix, a SID
	// on Windows; "" when unknown.
	Account string
	// Label names the account for people ("uid 65534", `HOST\user`).
	Label string
	// Exe is its executable, "" when unknown.
	Exe string
}

// String is "pid N (account, executable)".
func (p Peer) String() string {
	s := fmt.Sprintf("pid %d (%s", p.PID, p.Label)
	if p.Exe != "" {
		s += ", " + p.Exe
	}
	return s + ")"
}

// accept decides whether peer, found serving addr, is the wrapper. When a
// service manager runs the service it must be that process; otherwise it
// must run as one of the trusted accounts (root or LocalSystem, and the
// client's own account): the wrapper outside a service manager runs as
// the administrator, or as the user who asks.
func accept(addr string, peer Peer, want Expect, trusted []string, trustedLabel string) error {
	if want.PID != 0 {
		if peer.PID == want.PID {
			return nil
		}
		return fmt.Errorf("%w: %s is served by %s, but %s runs the wrapper as pid %d",
			ErrImpostor, addr, peer, want.Manager, want.PID)
	}
	if peer.Account != "" && slices.Contains(trusted, peer.Account) {
		return nil
	}
	return fmt.Errorf("%w: %s is served by %s; no service manager runs this wrapper, so only a process of %s may serve it",
		ErrImpostor, addr, peer, trustedLabel)
}
