// Package control is the local endpoint of a running wrapper: the CLI's
// `status`, `restart-child`, `rotate` and `reload` reach the wrapper through
// it. It listens only locally — a Unix socket with mode 0600 in a directory
// only the wrapper's account can write, or a named pipe whose ACL admits
// Administrators, SYSTEM and the service — and never on a network port.
// Its place depends on the service name alone (not on the YAML's log.dir),
// and a client checks that the process serving it is the wrapper (Expect)
// before it sends anything. One request per connection: a JSON line in, a
// JSON line out. It takes a service name, never a configuration.
package control

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// Request is a request; Cmd is status, restart-child, rotate or reload.
type Request struct {
	Cmd string `json:"cmd"`
}

// Response answers a request.
type Response struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
	// Refused marks a reload refused because the YAML is invalid.
	Refused bool             `json:"refused,omitempty"`
	Status  *statusfile.Live `json:"status,omitempty"`
}

// Listener is what the platform endpoint offers: net.Listener on
// Unix, a named-pipe server on Windows.
type Listener interface {
	// Accept waits for the next client; after Close it returns an error.
	Accept() (io.ReadWriteCloser, error)
	// Close stops Accept and removes the endpoint.
	Close() error
}

// ErrAlreadyRunning is returned by Listen when another live process serves
// the endpoint: another wrapper for the same service (two would fight over
// the logs), or a process squatting it (it would answer in the wrapper's
// place). The error names that process.
var ErrAlreadyRunning = errors.New("another wrapper is already running for this service, or a process squats its control endpoint")

// ErrUnsafe is returned by Listen when the endpoint's directory could be
// changed by another account: it belongs to another account, or its parent
// is writable by group or others. The wrapper does not serve there.
var ErrUnsafe = errors.New("the control endpoint's directory is not safe")

// Server answers requests with handle until closed.
type Server struct {
	l      Listener
	handle func(Request) Response
	log    *slog.Logger
	wg     sync.WaitGroup
}

// Serve starts answering on l in the background.
func Serve(l Listener, handle func(Request) Response, log *slog.Logger) *Server {
	s := &Server{l: l, handle: handle, log: log}
	s.wg.Add(1)
	go s.acceptLoop()
	return s
}

// serveDeadline bounds one connection on the server (reading the request,
// writing the answer): a stuck client cannot pin a goroutine. Tests
// shorten it.
var serveDeadline = 10 * time.Second

// closeWait bounds how long Close waits for requests in progress: a client
// that connects and never sends, or never reads its answer (a named pipe's
// flush waits for the reader), must not hold up the wrapper's exit and with
// it a service stop.
const closeWait = 3 * time.Second

// Close stops the server and waits, at most closeWait, for requests in
// progress.
func (s *Server) Close() {
	_ = s.l.Close()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Warn("control endpoint: a client did not finish its request; not waiting for it", "after", closeWait)
	}
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if errors.Is(err, os.ErrClosed) || errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil { // passing trouble (a client gone early, no fds): keep serving
			s.log.Warn("control endpoint accept", "err", err)
			time.Sleep(100 * time.Millisecond) // do not spin on a persistent error
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			if err := s.answer(c); err != nil {
				s.log.Warn("control request", "err", err)
			}
		}()
	}
}

// answer reads one request line from c and writes the response line.
func (s *Server) answer(c io.ReadWriter) error {
	line, err := bufio.NewReader(io.LimitReader(c, 4096)).ReadBytes('\n')
	if len(line) == 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		return nil // a probe that connected and left (a second wrapper checking)
	}
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	var req Request
	resp := Response{Error: "malformed request"}
	if json.Unmarshal(line, &req) == nil {
		resp = s.handle(req)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	if _, err := c.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}

// Ask sends one request to the wrapper of service, once Dial has checked
// that want serves its endpoint.
func Ask(service string, want Expect, cmd string) (Response, error) {
	conn, err := Dial(service, want)
	if err != nil {
		return Response{}, err
	}
	return Call(conn, cmd)
}

// Call sends one request over conn, closes it and returns the response.
func Call(conn io.ReadWriteCloser, cmd string) (Response, error) {
	defer conn.Close()
	var resp Response
	b, _ := json.Marshal(Request{Cmd: cmd})
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return resp, fmt.Errorf("send %s request: %w", cmd, err)
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return resp, fmt.Errorf("read %s response: %w", cmd, err)
	}
	if err := json.Unmarshal(line, &resp); err != nil {
		return resp, fmt.Errorf("decode %s response: %w", cmd, err)
	}
	return resp, nil
}
