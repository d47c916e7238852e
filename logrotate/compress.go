package logrotate

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/wrapper-dev/wrapper/internal/safefs"
)

// Compression is how the mill compresses backups (Options.Compress).
type Compression string

// The compressions. Gzip writes a standard file that gzip -d reads. There
// is no zstd: linking klauspost's zstd would run its packages'
// initialisation in every wrapper at start-up, compressing or not
// (docs/performance.md#compression).
const (
	NoCompression Compression = ""     // backups stay plain
	Gzip          Compression = "gzip" // <backup>.gz
)

// gzipSuffix ends the name of a compressed backup.
const gzipSuffix = ".gz"

// valid reports whether c is one of the compressions above.
func (c Compression) valid() bool { return c == NoCompression || c == Gzip }

// gzipLevel was chosen by BenchmarkCompress so that a MB costs at most a
// third of the CPU of compress/gzip's default level: deflate at its
// fastest level (klauspost's level 1 finds matches with one hash probe).
// Figures: docs/performance.md#compression.
const gzipLevel = gzip.BestSpeed

// plainName returns name without a compressed backup's suffix, and
// whether it had one.
func plainName(name string) (string, bool) {
	return strings.CutSuffix(name, gzipSuffix)
}

// errStopped ends a pass that Close interrupted.
var errStopped = errors.New("log backup mill stopped")

// errYield ends a pass's compressing early, not as a failure: a rotation
// came, so the writes resumed; the backups left wait for the next pause.
var errYield = errors.New("log backup compression yields to a rotation")

// slot lets one backup be compressed at a time in the whole process, the
// backups of every File included: compression takes at most one processor
// from the child and the pumps.
var slot = make(chan struct{}, 1)

// compress writes name's content compressed to name.gz, created with
// O_EXCL and given name's owner and mode through its descriptor, then
// removes name. Lumberjack, which logrotate used to wrap,
// opened name.gz with O_TRUNC and chowned it by path: a link planted at
// name.gz made it empty and give away any file on the machine. A link at
// name (never a backup this package made) is removed unread. The work
// runs on a thread of its own at low priority (background), once the
// process's slot is free. It returns errYield, having done nothing, when
// a rotation comes while it waits for the slot, and compresses at normal
// priority when finish was called meanwhile.
func (m *mill) compress(root *os.Root, name string, rep *report) error {
	select {
	case slot <- struct{}{}:
		defer func() { <-slot }()
	case <-m.stop:
		return errStopped
	case <-m.wake:
		m.signal() // the pass is still due: run's to take
		return errYield
	case <-m.hurry:
		return m.compressNow(root, name, rep)
	}
	if m.urgent() {
		return m.compressNow(root, name, rep)
	}
	return background(func() error { return m.compressNow(root, name, rep) }, &m.low)
}

// compressNow is compress on the calling goroutine.
func (m *mill) compressNow(root *os.Root, name string, rep *report) error {
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
	// A compressed copy beside the plain backup is the partial output of
	// a compression that a crash interrupted (a finished one removes the
	// plain backup): createExcl removes it.
	zName := name + gzipSuffix
	dst, err := createExcl(root, zName, rep)
	if err != nil {
		return fmt.Errorf("compress log backup: %w", err)
	}
	keepModeAndOwner(dst, fi)
	err = compressTo(dst, &millReader{r: src, stop: m.stop})
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = root.Remove(zName) // the name this pass created
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

// compressTo writes src to dst compressed with gzip, on the calling
// goroutine alone: the mill compresses one backup at a time, at low
// priority.
func compressTo(dst io.Writer, src io.Reader) error {
	zw, err := gzip.NewWriterLevel(dst, gzipLevel)
	if err != nil {
		return err
	}
	if _, err := io.Copy(zw, src); err != nil {
		_ = zw.Close()
		return err
	}
	return zw.Close()
}

// yieldEvery is how many bytes the compressor reads between two yields of
// its processor.
const yieldEvery = 1 << 20

// millReader reads a backup for its compressor. It fails with errStopped
// once stop is closed, so that Close does not wait for a large backup to
// be compressed, and yields the processor every yieldEvery bytes: a
// thread at low priority can be descheduled while it holds one of Go's
// processors, and with GOMAXPROCS 1 a pump returning from its read would
// wait for it.
type millReader struct {
	r    io.Reader
	stop <-chan struct{}
	n    int // bytes read since the last yield
}

func (s *millReader) Read(p []byte) (int, error) {
	select {
	case <-s.stop:
		return 0, errStopped
	default:
	}
	if s.n >= yieldEvery {
		s.n = 0
		runtime.Gosched()
	}
	n, err := s.r.Read(p)
	s.n += n
	return n, err
}
