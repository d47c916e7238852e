package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
)

// Probe is one check of a health check (HealthOptions.Check) or of a start
// condition (Condition.Probe): a nil error means healthy, or the condition
// met. A Probe must return soon after ctx is done, which is how its timeout
// is enforced; the supervisor waits for it. It may be called from several
// goroutines, though never concurrently with itself by the supervisor.
type Probe func(ctx context.Context) error

// TCPProbe returns a Probe that succeeds when a TCP connection to addr
// (host:port) can be opened; the connection is closed at once.
func TCPProbe(addr string) Probe {
	return func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err // net.OpError already names the address
		}
		_ = c.Close()
		return nil
	}
}

// httpProbeClient does not follow redirects (a 3xx answer counts as a
// success: the application answered), uses no proxy (a check aims at the
// service itself, usually on this machine) and opens a new connection for
// every check: an idle kept-alive connection would hide a server that no
// longer accepts connections, and would linger between checks.
var httpProbeClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport:     &http.Transport{DisableKeepAlives: true, Proxy: nil},
}

// maxProbeBody bounds what is read of an answer's body, only so that the
// connection closes cleanly.
const maxProbeBody = 4 << 10

// HTTPProbe returns a Probe that GETs url and succeeds on a 2xx or 3xx
// status whose body (its first 4 KiB) arrives before ctx ends. Redirects
// are not followed, no proxy is used, and every check opens a new
// connection.
func HTTPProbe(url string) Probe {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("http probe: %w", err)
		}
		resp, err := httpProbeClient.Do(req)
		if err != nil {
			return err // *url.Error names the method and URL
		}
		// The body read is bounded by ctx too: a server that sent its
		// headers and then stalls has not answered, and its error (the
		// check's timeout) must not be dropped as a success.
		_, rerr := io.Copy(io.Discard, io.LimitReader(resp.Body, maxProbeBody))
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode < 200 || resp.StatusCode > 399:
			return fmt.Errorf("GET %s: status %s", url, resp.Status)
		case rerr != nil:
			return fmt.Errorf("GET %s: read the body: %w", url, rerr)
		}
		return nil
	}
}

// FileProbe returns a Probe that succeeds when path exists (a file, a
// directory or anything else Stat finds).
func FileProbe(path string) Probe {
	return func(ctx context.Context) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := os.Stat(path)
		return err // *fs.PathError names the path
	}
}

// maxProbeOutput bounds the command output kept for a CommandProbe's error.
const maxProbeOutput = 1 << 10

// CommandProbe returns a Probe that runs argv (argv[0] is the program,
// looked up in PATH when it has no path separator; no shell) with the
// environment env (nil means the wrapper's) in the directory dir (empty
// means the wrapper's), and succeeds when it exits with code 0. Its
// stdout and stderr, merged, are kept up to 1 KiB and quoted in the error.
// When ctx ends first the command's process tree is killed, as the child's
// would be (process group on Unix; on Windows whatever the child's tree
// handling reaches).
func CommandProbe(argv, env []string, dir string) Probe {
	argv, env = slices.Clone(argv), slices.Clone(env)
	return func(ctx context.Context) error {
		if len(argv) == 0 || argv[0] == "" {
			return errors.New("command probe: empty command")
		}
		out := &capture{max: maxProbeOutput}
		e, err := runCommand(ctx, Options{Path: argv[0], Args: argv[1:], Dir: dir, Env: env,
			Stdout: out, Stderr: out, Logger: slog.New(slog.DiscardHandler)})
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", argv[0], err)
		case e.Code == 0 && e.Signal == "":
			return nil
		}
		if text := out.String(); text != "" {
			return fmt.Errorf("%s %s: %s", argv[0], e, text)
		}
		return fmt.Errorf("%s %s", argv[0], e)
	}
}

// capture is an io.ReaderFrom that keeps the first max bytes of what it
// reads, from any number of goroutines, and drains the rest.
type capture struct {
	mu        sync.Mutex
	buf       []byte
	max       int
	truncated bool
}

// ReadFrom reads r to its end.
func (c *capture) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	p := make([]byte, 4<<10)
	for {
		k, err := r.Read(p)
		n += int64(k)
		c.keep(p[:k])
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (c *capture) keep(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := c.max - len(c.buf)
	if len(p) > room {
		p, c.truncated = p[:max(room, 0)], true
	}
	c.buf = append(c.buf, p...)
}

// String returns the kept output with surrounding white space removed, and
// "…" when some was dropped.
func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := strings.TrimSpace(string(c.buf))
	if c.truncated {
		s += "…"
	}
	return s
}
