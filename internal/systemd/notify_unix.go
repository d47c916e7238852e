//go:build unix

package systemd

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// EnvNotifySocket is where systemd tells a Type=notify service to send its
// readiness (sd_notify(3)). It is addressed to the wrapper, never to the
// child: the wrapper leaves it out of the child's environment.
const EnvNotifySocket = "NOTIFY_SOCKET"

// notifyTimeout bounds one send to systemd. Update runs on the
// supervisor's loop, which must not stall behind a wedged service manager.
const notifyTimeout = time.Second

// Notifier sends the wrapper's state to systemd when it runs the wrapper as
// a Type=notify service: READY=1 once, STATUS= on each change of text, and
// STOPPING=1 when the wrapper stops on request. Update and Stopping may be
// called from different goroutines.
type Notifier struct {
	addr   *net.UnixAddr
	logger *slog.Logger
	mu     sync.Mutex // guards state and the order of messages
	state  notifyState
	failed bool // a send failed: logged once, not on every change
}

// NewNotifier returns a Notifier for $NOTIFY_SOCKET, or nil when systemd
// did not set it (the wrapper does not run under systemd).
func NewNotifier(logger *slog.Logger) *Notifier {
	sock := os.Getenv(EnvNotifySocket)
	if sock == "" {
		return nil
	}
	// "@name" is an abstract-namespace socket; Go's net package maps the @
	// to the leading NUL byte the kernel expects. Other forms (vsock:) are
	// for virtual machines, not for services.
	if !strings.HasPrefix(sock, "/") && !strings.HasPrefix(sock, "@") {
		logger.Warn("NOTIFY_SOCKET is not a Unix socket: systemd will not learn that the service is ready", "socket", sock)
		return nil
	}
	return &Notifier{addr: &net.UnixAddr{Name: sock, Net: "unixgram"}, logger: logger}
}

// Update reports the service's state: ready once the service counts as
// started, and a one-line status text.
func (n *Notifier) Update(ready bool, status string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var msg string
	msg, n.state = n.state.onStatus(ready, status)
	n.send(msg)
}

// Stopping reports that the wrapper is shutting down on request.
func (n *Notifier) Stopping() {
	n.mu.Lock()
	defer n.mu.Unlock()
	var msg string
	msg, n.state = n.state.onStop()
	n.send(msg)
}

// send delivers msg, logging the first failure.
func (n *Notifier) send(msg string) {
	if msg == "" {
		return
	}
	if err := sdNotify(n.addr, msg); err != nil && !n.failed {
		n.failed = true
		n.logger.Warn("cannot notify systemd", "err", err)
	}
}

// sdNotify sends one datagram to the service manager's socket, as
// sd_notify(3) does: a fresh socket per message, so a socket systemd
// re-created (daemon-reexec) is found again.
func sdNotify(addr *net.UnixAddr, msg string) error {
	c, err := net.DialUnix("unixgram", nil, addr)
	if err != nil {
		return fmt.Errorf("notify socket %s: %w", addr.Name, err)
	}
	defer c.Close()
	if err := c.SetWriteDeadline(time.Now().Add(notifyTimeout)); err != nil {
		return fmt.Errorf("notify socket %s: %w", addr.Name, err)
	}
	if _, err := c.Write([]byte(msg)); err != nil {
		return fmt.Errorf("notify socket %s: %w", addr.Name, err)
	}
	return nil
}

// notifyState is what the wrapper has told the service manager so far.
type notifyState struct {
	ready, stopping bool
	status          string
}

// onStatus returns the sd_notify message for a state change ("" when there
// is nothing new) and the state after it. READY=1 is sent once, the first
// time ready holds before a stop; later changes update STATUS= only.
func (n notifyState) onStatus(ready bool, text string) (string, notifyState) {
	var lines []string
	if !n.ready && !n.stopping && ready {
		n.ready = true
		lines = append(lines, "READY=1")
	}
	if text != n.status {
		n.status = text
		lines = append(lines, "STATUS="+text)
	}
	return strings.Join(lines, "\n"), n
}

// onStop returns the message that tells the service manager the wrapper is
// shutting down on its request (STOPPING=1), "" when already said.
func (n notifyState) onStop() (string, notifyState) {
	if n.stopping {
		return "", n
	}
	n.stopping = true
	return "STOPPING=1", n
}
