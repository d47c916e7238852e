package control

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// runs numbers the endpoints of this process's test runs (-count).
var runs atomic.Int32

// newService returns a service name of its own for one test: pipe names
// are shared by the whole machine (and the Wine prefix), and on Unix the
// test's RunRoot is new (isolate).
func newService(t *testing.T) string {
	isolate(t)
	return fmt.Sprintf("ctl%d-%d", os.Getpid(), runs.Add(1))
}

// TestControlEndpointRoundTrip serves the platform endpoint (Unix socket or
// named pipe) with a fake handler, calls it concurrently, and checks that a
// second wrapper for the same service is refused, naming the first.
func TestControlEndpointRoundTrip(t *testing.T) {
	name := newService(t)
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	srv := Serve(l, func(req Request) Response {
		if req.Cmd == "status" {
			return Response{OK: true, Status: &statusfile.Live{File: statusfile.File{Service: name, State: "running"}}}
		}
		return Response{Error: "unknown request " + req.Cmd}
	}, slog.New(slog.DiscardHandler))

	self := fmt.Sprintf("pid %d ", os.Getpid())
	if _, err := Listen(name); !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), self) {
		t.Errorf("second listen: %v, want ErrAlreadyRunning naming %q", err, self)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := Ask(name, Expect{PID: os.Getpid(), Manager: "the test"}, "status")
			if err != nil || !resp.OK || resp.Status.State != "running" {
				t.Errorf("status: %+v, %v", resp, err)
			}
		}()
	}
	wg.Wait()
	if resp, err := Ask(name, Expect{}, "nope"); err != nil || resp.OK || !strings.Contains(resp.Error, "unknown request") {
		t.Errorf("unknown request: %+v, %v", resp, err)
	}
	srv.Close()
	if _, err := Ask(name, Expect{}, "status"); err == nil {
		t.Error("the endpoint still answers after Close")
	}
	// Closed cleanly, the endpoint can be served again (a restarted wrapper).
	l2, err := Listen(name)
	if err != nil {
		t.Fatalf("listen after close: %v", err)
	}
	l2.Close()
}

// TestControlCloseDoesNotWaitForStuckClient: a client that connects and
// never sends a request must not hold up Close (and with it a service stop).
func TestControlCloseDoesNotWaitForStuckClient(t *testing.T) {
	name := newService(t)
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	lw := &lockedWriter{w: &logged}
	srv := Serve(l, func(Request) Response { return Response{OK: true} },
		slog.New(slog.NewTextHandler(lw, nil)))
	conn, err := Dial(name, Expect{}) // connects, never writes
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The server must have accepted the connection before Close, or Close
	// would not find a request in progress: ask once more on a second
	// connection, which is answered after the first was accepted.
	if resp, err := Ask(name, Expect{}, "status"); err != nil || !resp.OK {
		t.Fatalf("second client: %+v, %v", resp, err)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Close waited for a stuck client")
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if !strings.Contains(logged.String(), "did not finish its request") {
		t.Errorf("no warning about the stuck client; log:\n%s", logged.String())
	}
}

// lockedWriter serialises writes to w (tests read w under mu).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestServerDropsSilentClient: a client that connects and never sends is
// disconnected once serveDeadline passes, on the named pipe as on the
// socket, so it cannot hold a connection and its goroutine for ever.
func TestServerDropsSilentClient(t *testing.T) {
	name := newService(t)
	old := serveDeadline
	serveDeadline = 100 * time.Millisecond
	t.Cleanup(func() { serveDeadline = old })
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer Serve(l, func(Request) Response { return Response{OK: true} }, slog.New(slog.DiscardHandler)).Close()
	conn, err := Dial(name, Expect{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := make(chan error, 1)
	go func() {
		_, err := conn.Read(make([]byte, 1))
		read <- err
	}()
	select {
	case err := <-read:
		// The client's own deadline (30 s) must not be what ended it.
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read on a silent connection: %v; want the server to have closed it", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server kept a silent client's connection open")
	}
}
