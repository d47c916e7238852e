// Package logrotate pumps a child's output into a size-rotated log file
// without ever splitting a line between two writers or two files.
//
// It wraps gopkg.in/natefinch/lumberjack.v2 for file handling, backup naming,
// compression and pruning, but does its own size accounting (lumberjack
// counts in whole megabytes and rejects writes above its limit) and chooses
// backup names itself (lumberjack would rename two rotations within one
// millisecond onto the same name and lose a file). See docs/logging.md.
package logrotate

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

const (
	// DefaultMaxSize is the rotation size used when Options.MaxSize is 0: 10 MiB.
	DefaultMaxSize int64 = 10 << 20
	// MinMaxSize is the smallest accepted Options.MaxSize: 1 KiB.
	MinMaxSize int64 = 1 << 10

	// lumberjackNeverMB is the MaxSize (in megabytes) given to lumberjack so
	// that it never rotates, nor rejects a write, on its own: 2^31-1 MB.
	lumberjackNeverMB = math.MaxInt32

	// checkInterval is how often the write path verifies that the path still
	// names the open file (see File.checkLocked).
	checkInterval = time.Second

	// rotateRetry is how long to wait before retrying a failed rotation, so a
	// file held open by another process (Windows) does not cost a
	// close/rename/reopen on every batch.
	rotateRetry = time.Second
)

// ErrAlreadyOpen is returned by Open when the path is already open through
// another *File of this process. Two writers on one path would break
// rotation (on Windows a second handle makes the rename fail) and leak a
// lumberjack goroutine; share the *File instead.
var ErrAlreadyOpen = errors.New("log file already open in this process")

// Options configures a File. The zero value of every field except Path is
// usable.
type Options struct {
	// Path is the absolute path of the current log file. Missing parent
	// directories are created with mode 0o755. Backups are written beside it
	// as <name>-<UTC time, 2006-01-02T15-04-05.000><ext>[.gz].
	Path string
	// MaxSize is the size in bytes a file may reach: the file is rotated
	// before a write would take it above MaxSize. Default (0) DefaultMaxSize
	// (10 MiB); minimum MinMaxSize (1 KiB).
	MaxSize int64
	// MaxFiles is the number of rotated files kept. Default (0) keeps all.
	MaxFiles int
	// MaxAge deletes rotated files older than this. Lumberjack counts whole
	// days, so MaxAge is rounded up to a multiple of 24h. Default (0) keeps
	// files regardless of age.
	MaxAge time.Duration
	// Compress gzips rotated files (in the background). Default false.
	Compress bool
	// Timestamps prefixes every line written with its write time in RFC 3339
	// format with milliseconds, followed by a space. Default false.
	Timestamps bool
	// KeepTail makes the File remember the last 20 lines written, for Tail
	// (the wrapper asks it of the child's stderr file only: it costs a copy
	// of those lines per batch). Default false: Tail returns nothing.
	KeepTail bool
	// Now is the clock used for Timestamps. Default (nil) time.Now.
	Now func() time.Time
	// Logger receives the first write failure after a healthy period and
	// the recovery that ends it (with the bytes dropped meanwhile), likewise
	// for rotation failures. Default (nil) discards. It may itself write into
	// this File: reports are made without holding the File's lock.
	Logger *slog.Logger
}

// File is a size-rotated log file. Open one *File per path and keep it for
// the process's lifetime: reuse it across child restarts and give the same
// *File to every stream aimed at that path. All methods are safe for
// concurrent use.
type File struct {
	path    string
	maxSize int64
	stamps  bool
	tailOn  bool
	now     func() time.Time
	log     *slog.Logger
	regKey  string
	lj      *lumberjack.Logger
	dropped atomic.Int64
	written atomic.Int64 // bytes written, for Written
	rotated atomic.Int64 // rotations done, for Rotations

	mu         sync.Mutex
	closed     bool
	failures   failureState
	size       int64         // bytes in the current file; -1 = unknown, stat before the next write
	ident      os.FileInfo   // the file lumberjack has open; nil = not known yet
	nextCheck  time.Time     // when checkLocked next compares ident with the path
	checkEvery time.Duration // checkInterval; tests shorten it
	rotateAt   time.Time     // no automatic rotation before this (after a failure)
	retryEvery time.Duration // rotateRetry; tests shorten it
	lastBackup time.Time     // name time of the last backup, to keep names unique
	scratch    []byte        // framing buffer (timestamps, split lines), reused
	stamp      []byte        // the current timestamp prefix, reused
	tail       [][]byte      // the last lines written, a ring (see Tail)
	tailNext   int           // index of the oldest line in a full ring
}

var (
	registryMu sync.Mutex
	registry   = map[string]bool{}
)

// Open validates opts, creates the parent directories, creates the file
// (mode 0o600) if missing and returns a File that appends to it. The size of
// an existing file counts toward MaxSize. Open fails with ErrAlreadyOpen if
// Path is open through another File of this process.
func Open(opts Options) (*File, error) {
	if err := validate(&opts); err != nil {
		return nil, err
	}
	path := filepath.Clean(opts.Path)
	key := registryKey(path)
	registryMu.Lock()
	defer registryMu.Unlock()
	if registry[key] {
		return nil, fmt.Errorf("open log %s: %w", path, ErrAlreadyOpen)
	}
	size, err := probe(path)
	if err != nil {
		return nil, err
	}
	f := &File{
		path: path, maxSize: opts.MaxSize, stamps: opts.Timestamps, tailOn: opts.KeepTail,
		now: opts.Now, log: opts.Logger, regKey: key, size: size,
		checkEvery: checkInterval, retryEvery: rotateRetry,
		lj: &lumberjack.Logger{
			Filename:   path,
			MaxSize:    lumberjackNeverMB,
			MaxBackups: opts.MaxFiles,
			MaxAge:     days(opts.MaxAge),
			Compress:   opts.Compress,
		},
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	registry[key] = true
	return f, nil
}

func validate(o *Options) error {
	var errs []error
	if o.Path == "" || !filepath.IsAbs(o.Path) {
		errs = append(errs, fmt.Errorf("log path %q: must be absolute", o.Path))
	}
	switch {
	case o.MaxSize == 0:
		o.MaxSize = DefaultMaxSize
	case o.MaxSize < MinMaxSize:
		errs = append(errs, fmt.Errorf("log max size %d bytes: below the minimum of %d", o.MaxSize, MinMaxSize))
	}
	if o.MaxFiles < 0 {
		errs = append(errs, fmt.Errorf("log max files %d: must not be negative", o.MaxFiles))
	}
	if o.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("log max age %s: must not be negative", o.MaxAge))
	}
	return errors.Join(errs...)
}

// probe creates the directory and the file when missing, so that a bad path
// fails in Open rather than at the first write, and returns the file's size.
// An existing file whose last line lacks its '\n' (a wrapper killed in the
// middle of a write) gets one, so the new output starts a line of its own.
func probe(path string) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("create log directory: %w", err)
	}
	// Rotation renames the file: refuse /dev/null, a FIFO (whose open would
	// block) or a directory before touching them.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("open log %s: not a regular file", path)
	}
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("open log: %w", err)
	}
	size, err := terminateLastLine(fh)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("open log: %w", err)
	}
	return size, nil
}

// terminateLastLine appends '\n' to f (opened for append) when its last
// byte is not one, and returns f's size afterwards.
func terminateLastLine(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, fi.Size()-1); err != nil {
		return 0, err
	}
	if last[0] == '\n' {
		return fi.Size(), nil
	}
	if _, err := f.Write([]byte{'\n'}); err != nil {
		return 0, err
	}
	return fi.Size() + 1, nil
}

// days converts d to lumberjack's whole days, rounding up.
func days(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	n := (d + 24*time.Hour - 1) / (24 * time.Hour)
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// registryKey folds case on Windows, whose file names are case-insensitive.
func registryKey(path string) string {
	if runtime.GOOS == "windows" {
		return strings.ToLower(path)
	}
	return path
}

// Path returns the absolute path of the current log file.
func (f *File) Path() string { return f.path }

// Dropped returns the total number of bytes lost to write errors so far,
// counted as they would have been written (timestamp prefixes included).
func (f *File) Dropped() int64 { return f.dropped.Load() }

// Written returns the total number of bytes written to the file and its
// predecessors so far (timestamp prefixes included): one atomic add per
// write batch, read by the wrapper's metrics.
func (f *File) Written() int64 { return f.written.Load() }

// Rotations returns the number of rotations done so far, automatic and
// requested.
func (f *File) Rotations() int64 { return f.rotated.Load() }

// Close closes the current file and releases the path for another Open.
// Later writes fail with an error wrapping os.ErrClosed and count as
// dropped. Lumberjack's background goroutine (compression, pruning) is not
// stopped by Close: it idles until the process exits. Close is idempotent.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	registryMu.Lock()
	delete(registry, f.regKey)
	registryMu.Unlock()
	if err := f.lj.Close(); err != nil {
		return fmt.Errorf("close log %s: %w", f.path, err)
	}
	return nil
}

// Rotate moves the current file aside as a backup now (even when empty) and
// starts a new one. Compression and pruning follow in the background.
func (f *File) Rotate() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fmt.Errorf("rotate log %s: %w", f.path, os.ErrClosed)
	}
	return f.rotateLocked()
}

// rotateLocked renames the current file to a backup name chosen here and
// lets lumberjack create the new file and run its mill. Lumberjack would
// pick the name itself from the current millisecond, and a second rotation
// within that millisecond would rename onto, and destroy, the first backup.
func (f *File) rotateLocked() error {
	f.size, f.ident = -1, nil
	// The file must be closed before the rename: Windows cannot rename an
	// open file. A close error leaves nothing to retry (the handle is gone).
	_ = f.lj.Close()
	mode := fs.FileMode(0)
	if fi, err := os.Stat(f.path); err == nil {
		mode = fi.Mode().Perm()
	}
	t, name := f.backupName(time.Now())
	err := os.Rename(f.path, name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("rotate log %s: %w", f.path, err)
	}
	if err == nil {
		f.lastBackup = t
	}
	// With the path now free, lumberjack's Rotate recreates the directory if
	// it was removed, creates an empty file (mode 0o600) and signals its mill.
	if err := f.lj.Rotate(); err != nil {
		return fmt.Errorf("rotate log %s: %w", f.path, err)
	}
	f.size = 0
	f.rotated.Add(1)
	if mode != 0 && mode != 0o600 {
		// Keep a mode the operator chose (lumberjack would, had it renamed).
		_ = os.Chmod(f.path, mode)
	}
	return nil
}
