package control

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// pipePrefix starts every wrapper's pipe name.
const pipePrefix = `\\.\pipe\wrapper-`

// Address is service's named pipe. Pipe names are one namespace for the
// whole machine, which any user may create names in: the client checks the
// server (Dial), and Listen names a process that took the name first.
func Address(service string) string {
	return pipePrefix + service
}

// pipeListener serves a named pipe. Each Accept creates a pipe instance and
// waits in ConnectNamedPipe; Close unblocks it by connecting once itself.
type pipeListener struct {
	path      string
	sa        *windows.SecurityAttributes
	mu        sync.Mutex
	next      windows.Handle // the instance Accept waits on next
	accepting bool           // an Accept waits in ConnectNamedPipe on next
	done      bool
}

// Listen creates the first instance of service's pipe, whose ACL is
// pipeSDDL's. A process already serving the name (another wrapper, or a
// squatter) is named in an ErrAlreadyRunning error.
func Listen(service string) (Listener, error) {
	sddl, err := ownPipeSDDL(service)
	if err != nil {
		return nil, err
	}
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return nil, fmt.Errorf("control pipe: security descriptor: %w", err)
	}
	l := &pipeListener{path: Address(service), sa: &windows.SecurityAttributes{SecurityDescriptor: sd}}
	l.sa.Length = uint32(unsafe.Sizeof(windows.SecurityAttributes{}))
	// Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE, and a second server's
	// instance would take clients it never answers: look for a live server
	// first, as a client.
	h, err := openPipeOnce(l.path)
	switch {
	case err == nil:
		defer windows.CloseHandle(h)
		return nil, heldBy(l.path, h)
	case errors.Is(err, windows.ERROR_PIPE_BUSY):
		return nil, fmt.Errorf("%w: its control pipe %s is served by another process, whose every instance is busy", ErrAlreadyRunning, l.path)
	}
	h, err = l.instance(windows.FILE_FLAG_FIRST_PIPE_INSTANCE)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) {
		return nil, fmt.Errorf("%w: its control pipe %s exists (created by another process)", ErrAlreadyRunning, l.path)
	}
	if err != nil {
		return nil, err
	}
	l.next = h
	return l, nil
}

// heldBy is Listen's error for a pipe that answers: it names the process
// serving it, so that a squatter is found at once.
func heldBy(path string, h windows.Handle) error {
	peer, err := serverPeer(h)
	if err != nil {
		return fmt.Errorf("%w: its control pipe %s answers (which process serves it is unknown: %v)", ErrAlreadyRunning, path, err)
	}
	return fmt.Errorf("%w: %s serves its control pipe %s", ErrAlreadyRunning, peer, path)
}

// ownPipeSDDL is pipeSDDL for this process's token.
func ownPipeSDDL(service string) (string, error) {
	tok := windows.GetCurrentProcessToken()
	user, err := tok.GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("control pipe: own account: %w", err)
	}
	has := false
	want := serviceSID(service)
	if groups, err := tok.GetTokenGroups(); err == nil {
		for _, g := range groups.AllGroups() {
			has = has || g.Sid.String() == want
		}
	}
	return pipeSDDL(service, user.User.Sid.String(), has), nil
}

// instance creates one pipe instance: byte mode, local clients only,
// overlapped so that a connection gets deadlines (os.NewFile puts an
// overlapped handle on Go's I/O completion port).
func (l *pipeListener) instance(extra uint32) (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString(l.path)
	if err != nil {
		return 0, err
	}
	h, err := windows.CreateNamedPipe(name, windows.PIPE_ACCESS_DUPLEX|windows.FILE_FLAG_OVERLAPPED|extra,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, l.sa)
	if err != nil {
		return 0, fmt.Errorf("create control pipe %s: %w", l.path, err)
	}
	return h, nil
}

func (l *pipeListener) Accept() (io.ReadWriteCloser, error) {
	l.mu.Lock()
	h := l.next
	l.accepting = h != 0 && !l.done
	l.mu.Unlock()
	if h == 0 || !l.accepting {
		return nil, os.ErrClosed
	}
	err := connectPipe(h)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepting = false
	if l.done {
		windows.CloseHandle(h)
		l.next = 0
		return nil, os.ErrClosed
	}
	// The next instance exists before this one is handed out, so the pipe
	// name never disappears while the wrapper runs.
	next, nerr := l.instance(0)
	if nerr != nil {
		next = 0
	}
	l.next = next
	if err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
		// ERROR_NO_DATA: a client (a probing second wrapper) connected and
		// left before ConnectNamedPipe; serve the next instance instead.
		windows.DisconnectNamedPipe(h)
		windows.CloseHandle(h)
		return nil, fmt.Errorf("accept on control pipe: %w", err)
	}
	c := &pipeConn{File: os.NewFile(uintptr(h), l.path), h: h}
	_ = c.SetDeadline(time.Now().Add(serveDeadline))
	return c, nil
}

// connectPipe waits until a client connects to the overlapped instance h.
func connectPipe(h windows.Handle) error {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return fmt.Errorf("accept on control pipe: %w", err)
	}
	defer windows.CloseHandle(ev)
	ov := windows.Overlapped{HEvent: ev}
	err = windows.ConnectNamedPipe(h, &ov)
	if errors.Is(err, windows.ERROR_IO_PENDING) {
		var n uint32
		err = windows.GetOverlappedResult(h, &ov, &n, true)
	}
	return err
}

// Close marks the listener closed. A pending ConnectNamedPipe is woken by
// connecting to it (Accept then closes the instance); an instance nobody
// waits on is closed here, or the pipe name would outlive the listener.
func (l *pipeListener) Close() error {
	l.mu.Lock()
	if l.done {
		l.mu.Unlock()
		return nil
	}
	l.done = true
	if !l.accepting {
		if l.next != 0 {
			windows.CloseHandle(l.next)
			l.next = 0
		}
		l.mu.Unlock()
		return nil
	}
	l.mu.Unlock()
	if h, err := openPipe(l.path); err == nil {
		windows.CloseHandle(h)
	}
	return nil
}

// pipeConn is the server side of one connection.
type pipeConn struct {
	*os.File
	h windows.Handle
}

// Close flushes (so the client can read the whole response before the
// instance goes), disconnects and closes the instance.
func (c *pipeConn) Close() error {
	_ = windows.FlushFileBuffers(c.h)
	_ = windows.DisconnectNamedPipe(c.h)
	return c.File.Close()
}

// openPipe opens a pipe as a client. It retries for 5 s while every
// instance is busy, and for a moment when the pipe is missing: between a
// connection and the server's next instance, Wine answers "file not found"
// rather than "busy".
func openPipe(path string) (windows.Handle, error) {
	start := time.Now()
	for {
		h, err := openPipeOnce(path)
		if err == nil {
			return h, nil
		}
		busy := errors.Is(err, windows.ERROR_PIPE_BUSY) && time.Since(start) < 5*time.Second
		missing := errors.Is(err, windows.ERROR_FILE_NOT_FOUND) && time.Since(start) < 250*time.Millisecond
		if !busy && !missing {
			return 0, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openPipeOnce opens the client end, overlapped (for deadlines), with
// SECURITY_SQOS_PRESENT and SECURITY_IDENTIFICATION: a process squatting on
// the pipe name may learn who connected but can never impersonate an
// elevated `wrapper` command.
func openPipeOnce(path string) (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return 0, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_OVERLAPPED|windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return h, nil
}

// Dial connects to the wrapper serving service's pipe and checks that want
// serves it (ErrImpostor otherwise) before anything is sent.
func Dial(service string, want Expect) (io.ReadWriteCloser, error) {
	path := Address(service)
	h, err := openPipe(path)
	if err != nil {
		return nil, fmt.Errorf("connect to the running wrapper: %w", err)
	}
	if err := verify(path, h, want); err != nil {
		windows.CloseHandle(h)
		return nil, err
	}
	f := os.NewFile(uintptr(h), path)
	_ = f.SetDeadline(time.Now().Add(30 * time.Second))
	return f, nil
}
