package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// followPoll is how often `logs -f` looks for new output and for rotation:
// a file offers no portable change event, and tail -F polls too.
const followPoll = 250 * time.Millisecond

// cmdLogs prints the end of the child's current log and, with -f, follows it
// across rotations.
func cmdLogs(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("logs", "logs [--config FILE] [-f] [-n N] [--stderr | --wrapper]", stdout)
	path := fs.String("config", "", configFlagUsage)
	follow := fs.Bool("f", false, "follow the log as it grows, across rotations, until Ctrl-C")
	n := fs.Int("n", 50, "print the last `N` lines first")
	errLog := fs.Bool("stderr", false, "the child's stderr log instead of its stdout log")
	wrapperLog := fs.Bool("wrapper", false, "the wrapper's own log")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	if *n < 0 || (*errLog && *wrapperLog) {
		fmt.Fprintln(stderr, "wrapper logs: -n must not be negative; --stderr and --wrapper exclude each other")
		return ExitUsage
	}
	cfg, code := loadConfig(*path, stderr)
	if cfg == nil {
		return code
	}
	file := cfg.Log.Stdout
	switch {
	case *errLog:
		file = cfg.Log.Stderr
	case *wrapperLog:
		file = cfg.Log.Wrapper
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := showLog(ctx, stdout, file, *n, *follow); err != nil {
		fmt.Fprintf(stderr, "wrapper logs: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// showLog prints the last n lines of path, then follows it while follow is
// set and ctx lives.
func showLog(ctx context.Context, w io.Writer, path string, n int, follow bool) error {
	f, err := statusfile.OpenShared(path)
	if err != nil {
		return err
	}
	defer func() { f.Close() }()
	if err := printTail(w, f, n); err != nil {
		return err
	}
	if !follow {
		return nil
	}
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		if _, err := io.Copy(w, f); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if next, ok := rotated(f, path); ok {
			// Print what the old file got after our last read, then switch.
			if _, err := io.Copy(w, f); err != nil {
				return fmt.Errorf("read %s: %w", path, err)
			}
			f.Close()
			f = next
		}
	}
}

// rotated reports whether path now names another file than f (the current
// one was renamed away) or f was truncated, and opens the new one.
func rotated(f *os.File, path string) (*os.File, bool) {
	cur, err1 := f.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil {
		return nil, false // missing during the rename: look again next tick
	}
	pos, _ := f.Seek(0, io.SeekCurrent)
	if os.SameFile(cur, now) && now.Size() >= pos {
		return nil, false
	}
	next, err := statusfile.OpenShared(path)
	if err != nil {
		return nil, false
	}
	return next, true
}

// printTail writes the last n lines of f and leaves f positioned at its end.
// It reads backwards in blocks, so a large log costs only its end.
func printTail(w io.Writer, f *os.File, n int) error {
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("seek %s: %w", f.Name(), err)
	}
	const block = 64 << 10
	var buf []byte
	start := end
	for start > 0 && bytes.Count(buf, []byte{'\n'}) <= n {
		step := min(int64(block), start)
		start -= step
		chunk := make([]byte, step)
		if _, err := f.ReadAt(chunk, start); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read %s: %w", f.Name(), err)
		}
		buf = append(chunk, buf...)
	}
	// Keep the last n lines: cut after the (n+1)-th newline from the end,
	// not counting a final newline.
	body := bytes.TrimSuffix(buf, []byte{'\n'})
	cut := len(body)
	for i := 0; i < n && cut >= 0; i++ {
		cut = bytes.LastIndexByte(body[:max(cut, 0)], '\n')
	}
	if n == 0 {
		return nil
	}
	if cut >= 0 {
		buf = buf[cut+1:]
	}
	_, err = w.Write(buf)
	return err
}
