package supervisor

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func TestTCPProbe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	// No Accept: the kernel completes the handshake from the backlog.
	if err := TCPProbe(addr)(t.Context()); err != nil {
		t.Fatalf("probe of a listening port = %v", err)
	}
	ln.Close()
	err = TCPProbe(addr)(t.Context())
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("probe of a closed port = %v, want an error naming %s", err, addr)
	}
}

func TestHTTPProbe(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/down", http.StatusFound) // not followed: the 302 is the answer
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)
	for _, path := range []string{"/ok", "/moved"} {
		if err := HTTPProbe(srv.URL + path)(t.Context()); err != nil {
			t.Errorf("probe of %s = %v", path, err)
		}
	}
	if err := HTTPProbe(srv.URL + "/down")(t.Context()); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("probe of /down = %v, want status 503", err)
	}
	if err := HTTPProbe(srv.URL + "/missing")(t.Context()); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("probe of /missing = %v, want status 404", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := HTTPProbe(srv.URL + "/slow")(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("probe of /slow with a deadline = %v, want DeadlineExceeded", err)
	}
	if err := HTTPProbe("http://[::1")(t.Context()); err == nil {
		t.Error("probe of a malformed URL succeeded")
	}
}

// TestHTTPProbeStalledBody: a server that sends "200 OK" and part of a
// body, then stalls, has not answered: the probe fails with the check's
// timeout instead of counting the headers as a success.
func TestHTTPProbeStalledBody(t *testing.T) {
	stalled := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		close(stalled)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- HTTPProbe(srv.URL)(ctx) }()
	select {
	case err := <-errc:
		<-stalled // the server did send its headers first
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("probe of a stalled body = %v, want a failure with DeadlineExceeded", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("probe of a stalled body did not return within %v", waitLimit)
	}
}

func TestFileProbe(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ready.flag")
	if err := FileProbe(path)(t.Context()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("probe of a missing file = %v", err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := FileProbe(path)(t.Context()); err != nil {
		t.Fatalf("probe of an existing file = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := FileProbe(path)(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("probe with a done context = %v", err)
	}
}

// commandProbe runs a fakechild helper as a CommandProbe.
func commandProbe(t *testing.T, ctx context.Context, helper string, args ...string) error {
	t.Helper()
	path, argv, env := fakechild.Command(t, helper, args...)
	errc := make(chan error, 1)
	go func() { errc <- CommandProbe(append([]string{path}, argv...), env, fakechild.WorkDir(t))(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("probe did not return within %v", waitLimit)
		return nil
	}
}

func TestCommandProbe(t *testing.T) {
	if err := commandProbe(t, t.Context(), "exit", "0", "fine"); err != nil {
		t.Fatalf("probe exiting 0 = %v", err)
	}
	err := commandProbe(t, t.Context(), "exit", "3", "not ready", "db down")
	if err == nil || !strings.Contains(err.Error(), "exited with code 3: not ready\ndb down") {
		t.Fatalf("probe exiting 3 = %v, want the code and the output", err)
	}
	long := make([]string, 100)
	for i := range long {
		long[i] = strings.Repeat(strconv.Itoa(i%10), 40)
	}
	err = commandProbe(t, t.Context(), "exit", append([]string{"1"}, long...)...)
	if err == nil || !strings.HasSuffix(err.Error(), "…") || len(err.Error()) > maxProbeOutput+len(os.Args[0])+200 {
		t.Fatalf("probe with 4 KB of output: error of %d bytes, want it cut at 1 KiB", len(err.Error()))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := commandProbe(t, ctx, "hang", "up"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("probe of a hanging command = %v, want DeadlineExceeded", err)
	}
	if err := CommandProbe(nil, nil, "")(t.Context()); err == nil {
		t.Fatal("empty command accepted")
	}
	missing := filepath.Join(fakechild.WorkDir(t), "no-such-check")
	if err := CommandProbe([]string{missing}, nil, "")(t.Context()); err == nil || !strings.Contains(err.Error(), "no-such-check") {
		t.Fatalf("probe of a missing program = %v", err)
	}
}
