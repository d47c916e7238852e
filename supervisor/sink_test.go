package supervisor

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// waitLimit bounds every wait for a real process event. It is a guard
// against hangs, not a timing assumption: events normally arrive in
// milliseconds.
const waitLimit = 60 * time.Second

// sink is the tests' io.ReaderFrom: it keeps everything read, splits it into
// lines and wakes waiters on every new line. Safe for concurrent use, so it
// may serve as both Stdout and Stderr.
type sink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	lines   []string
	changed chan struct{} // closed and replaced on every new line
	ended   chan struct{} // receives once for every ReadFrom that returned
}

func newSink() *sink { return &sink{changed: make(chan struct{}), ended: make(chan struct{}, 16)} }

func (s *sink) ReadFrom(r io.Reader) (int64, error) {
	defer func() {
		select {
		case s.ended <- struct{}{}:
		default:
		}
	}()
	br := bufio.NewReader(r)
	var n int64
	for {
		chunk, err := br.ReadString('\n')
		n += int64(len(chunk))
		if chunk != "" {
			s.add(chunk)
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (s *sink) add(chunk string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.WriteString(chunk)
	if line, ok := strings.CutSuffix(chunk, "\n"); ok {
		s.lines = append(s.lines, line)
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *sink) Lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

// wait returns the first line for which match is true, waiting for new
// lines up to limit.
func (s *sink) wait(match func(string) bool, limit time.Duration) (string, bool) {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, l := range s.lines {
			if match(l) {
				s.mu.Unlock()
				return l, true
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return "", false
		}
	}
}

// waitLine is wait for tests.
func (s *sink) waitLine(t *testing.T, match func(string) bool) string {
	t.Helper()
	l, ok := s.wait(match, waitLimit)
	if !ok {
		t.Fatalf("no matching line within %v; got %q", waitLimit, s.String())
	}
	return l
}

func equals(want string) func(string) bool { return func(l string) bool { return l == want } }

// real is a Supervisor of a real fakechild process, with its outputs.
type real struct {
	*Supervisor
	out, err *sink
	log      *logBuf
}

// newReal supervises helper name (policy never unless edit changes it).
func newReal(t *testing.T, name string, args []string, edit func(*Options)) *real {
	t.Helper()
	path, argv, env := fakechild.Command(t, name, args...)
	r := &real{out: newSink(), err: newSink(), log: &logBuf{}}
	o := Options{Path: path, Args: argv, Env: env, Stdout: r.out, Stderr: r.err,
		Restart: RestartOptions{Policy: Never},
		Logger:  slog.New(slog.NewTextHandler(r.log, nil))}
	if edit != nil {
		edit(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	r.Supervisor = s
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("supervisor log:\n%s", r.log)
		}
	})
	return r
}

// background runs the supervisor; the returned stop cancels it and returns
// Run's result.
func (r *real) background(t *testing.T) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx) }()
	t.Cleanup(cancel)
	return func() error {
		cancel()
		return waitErr(t, errc)
	}
}

// run runs the supervisor to its end.
func (r *real) run(t *testing.T) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- r.Run(context.Background()) }()
	return waitErr(t, errc)
}

func waitErr(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("Run did not return within %v", waitLimit)
		return nil
	}
}

// waitUntil polls cond until it holds, failing after waitLimit: for a
// state that no event announces (a process's memory settling, a count of
// samples).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
