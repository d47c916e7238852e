package control

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// serverPeer returns the process serving the pipe whose client end is h,
// from GetNamedPipeServerProcessId: the pipe file system records the
// process that created the instance, which that process cannot choose.
func serverPeer(h windows.Handle) (Peer, error) {
	var pid uint32
	if err := windows.GetNamedPipeServerProcessId(h, &pid); err != nil {
		return Peer{}, fmt.Errorf("server process of the pipe: %w", err)
	}
	return processPeer(pid), nil
}

// processPeer describes process pid: its account and image, as far as this
// process may ask (an administrator may; Account stays "" otherwise).
func processPeer(pid uint32) Peer {
	p := Peer{PID: int(pid), Label: "account unknown"}
	ph, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return p
	}
	defer windows.CloseHandle(ph)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	if n := uint32(len(buf)); windows.QueryFullProcessImageName(ph, 0, &buf[0], &n) == nil {
		p.Exe = windows.UTF16ToString(buf[:n])
	}
	var tok windows.Token
	if windows.OpenProcessToken(ph, windows.TOKEN_QUERY, &tok) != nil {
		return p
	}
	defer tok.Close()
	u, err := tok.GetTokenUser()
	if err != nil {
		return p
	}
	p.Account, p.Label = u.User.Sid.String(), u.User.Sid.String()
	if account, domain, _, err := u.User.Sid.LookupAccount(""); err == nil {
		p.Label = domain + `\` + account
	}
	return p
}

// verify checks the process serving the pipe whose client end is h
// against want; with no service manager, it must run as LocalSystem or as
// this client's account.
func verify(path string, h windows.Handle, want Expect) error {
	peer, err := serverPeer(h)
	if err != nil {
		return fmt.Errorf("%w: cannot tell which process serves %s: %v", ErrImpostor, path, err)
	}
	trusted, label := []string{sidLocalSystem}, "LocalSystem"
	if u, err := windows.GetCurrentProcessToken().GetTokenUser(); err == nil {
		me := u.User.Sid.String()
		trusted, label = append(trusted, me), "LocalSystem or "+me
		if account, domain, _, err := u.User.Sid.LookupAccount(""); err == nil {
			label = `LocalSystem or ` + domain + `\` + account
		}
	}
	return accept(path, peer, want, trusted, label)
}
