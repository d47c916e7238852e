package logrotate

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/wrapper-dev/wrapper/internal/safefs"
)

// errStopped ends a pass that Close interrupted.
var errStopped = errors.New("log backup mill stopped")

// compress writes name's content gzipped to name.gz, created with O_EXCL
// and given name's owner and mode through its descriptor, then removes
// name. Lumberjack, which logrotate used to wrap, opened name.gz with
// O_TRUNC and chowned it by path: a link planted at name.gz made it empty
// and give away any file on the machine. A link at name (never a backup
// this package made) is removed unread.
func (m *mill) compress(root *os.Root, name string, rep *report) error {
	src, err := safefs.OpenFile(root, name, os.O_RDONLY, 0)
	if errors.Is(err, safefs.ErrLink) {
		return removeLink(root, name, "log backup", err, rep)
	}
	if err != nil {
		return fmt.Errorf("compress log backup: %w", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("compress log backup: %w", err)
	}
	gzName := name + compressSuffix
	dst, err := createExcl(root, gzName, rep)
	if err != nil {
		return fmt.Errorf("compress log backup: %w", err)
	}
	keepModeAndOwner(dst, fi)
	err = gzipTo(dst, stopReader{src, m.stop})
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = root.Remove(gzName) // the name this pass created
		if errors.Is(err, errStopped) {
			return err
		}
		return fmt.Errorf("compress log backup %s: %w", name, err)
	}
	_ = src.Close()
	if err := root.Remove(name); err != nil {
		return fmt.Errorf("remove compressed log backup: %w", err)
	}
	return nil
}

// createExcl creates name for writing with O_EXCL. Whatever is already at
// the name is removed first: the partial output of a compression that a
// crash interrupted, or a link someone planted (reported).
func createExcl(root *os.Root, name string, rep *report) (*os.File, error) {
	for try := 1; ; try++ {
		f, err := safefs.OpenFile(root, name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) || try == linkTries {
			return f, err
		}
		// Only to tell a link apart for the report: the open neither
		// follows it nor blocks on a FIFO.
		probe, perr := safefs.OpenFile(root, name, os.O_RDONLY, 0)
		if perr == nil {
			_ = probe.Close()
		}
		if errors.Is(perr, safefs.ErrLink) {
			if err := removeLink(root, name, "compressed log backup", perr, rep); err != nil {
				return nil, err
			}
			continue
		}
		if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove stale %s: %w", name, err)
		}
	}
}

// removeLink removes the link at name (the link itself) and reports it.
func removeLink(root *os.Root, name, what string, cause error, rep *report) error {
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the link in place of %s %s: %w", what, name, err)
	}
	rep.add(slog.LevelWarn, "a link was found in place of a "+what+"; it was removed, not followed",
		slog.String("name", name), slog.Any("err", cause))
	return nil
}

// gzipTo writes src to dst gzipped.
func gzipTo(dst io.Writer, src io.Reader) error {
	zw := gzip.NewWriter(dst)
	if _, err := io.Copy(zw, src); err != nil {
		return err
	}
	return zw.Close()
}

// stopReader fails with errStopped once stop is closed, so that Close does
// not wait for a large backup to be compressed.
type stopReader struct {
	r    io.Reader
	stop <-chan struct{}
}

func (s stopReader) Read(p []byte) (int, error) {
	select {
	case <-s.stop:
		return 0, errStopped
	default:
		return s.r.Read(p)
	}
}
