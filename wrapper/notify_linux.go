package wrapper

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/supervisor"
)

// notifyTimeout bounds one send to systemd. OnStatus runs on the
// supervisor's loop, which must not stall behind a wedged service manager.
const notifyTimeout = time.Second

// notifySystemd wraps onStatus so that every state change also reaches
// systemd when it runs the wrapper as a Type=notify service ($NOTIFY_SOCKET
// set): READY=1 once the child runs (healthy, with a health check), STATUS=
// on each change, and STOPPING=1 when ctx ends, which is how `wrapper run`
// learns of systemd's SIGTERM. Without $NOTIFY_SOCKET it returns onStatus
// as it is. Call stop when the host ends.
func notifySystemd(ctx context.Context, onStatus func(supervisor.Status), logger *slog.Logger) (wrapped func(supervisor.Status), stop func()) {
	sock := os.Getenv(envNotifySocket)
	if sock == "" {
		return onStatus, func() {}
	}
	// "@name" is an abstract-namespace socket; Go's net package maps the @
	// to the leading NUL byte the kernel expects. Other forms (vsock:) are
	// for virtual machines, not for services.
	if !strings.HasPrefix(sock, "/") && !strings.HasPrefix(sock, "@") {
		logger.Warn("NOTIFY_SOCKET is not a Unix socket: systemd will not learn that the service is ready", "socket", sock)
		return onStatus, func() {}
	}
	n := &notifier{addr: &net.UnixAddr{Name: sock, Net: "unixgram"}, logger: logger}
	cancel := context.AfterFunc(ctx, n.stop)
	wrapped = func(st supervisor.Status) {
		onStatus(st)
		n.update(st)
	}
	return wrapped, func() { cancel() }
}

// notifier sends sd_notify messages. OnStatus calls update from the
// supervisor's goroutine and the context's end calls stop from another,
// so the state and the order of messages are guarded by mu.
type notifier struct {
	addr   *net.UnixAddr
	logger *slog.Logger
	mu     sync.Mutex
	state  notifyState
	failed bool // a send failed: logged once, not on every change
}

func (n *notifier) update(st supervisor.Status) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var msg string
	msg, n.state = n.state.onStatus(st)
	n.send(msg)
}

func (n *notifier) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	var msg string
	msg, n.state = n.state.onStop()
	n.send(msg)
}

// send delivers msg, logging the first failure.
func (n *notifier) send(msg string) {
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
