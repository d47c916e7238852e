// Package logrotate pumps a child's output into a log file rotated by size
// and, optionally, by the clock, decoded to UTF-8 from another encoding
// where asked, without ever splitting a line between two writers or two
// files.
//
// The log directory may belong to a less trusted account than the wrapper
// (the service account, while the wrapper runs as root): every file in it is
// opened relative to the directory, never through a symbolic link, junction
// or extra hard link planted there (internal/safefs); backups and compressed
// backups are created with O_EXCL; owner and mode are set through the
// descriptor. It therefore does its own file handling, backup naming,
// compression and pruning: gopkg.in/natefinch/lumberjack.v2, which it used
// to wrap, opens, truncates and chowns by path. See docs/logging.md.
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

	"github.com/wrapper-dev/wrapper/internal/charset"
	"github.com/wrapper-dev/wrapper/internal/safefs"
)

const (
	// DefaultMaxSize is the rotation size used when Options.MaxSize is 0: 10 MiB.
	DefaultMaxSize int64 = 10 << 20
	// MinMaxSize is the smallest accepted Options.MaxSize: 1 KiB.
	MinMaxSize int64 = 1 << 10

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
// rotation (on Windows a second handle makes the rename fail) and run two
// backup mills on one set of backups; share the *File instead.
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
	// MaxAge deletes rotated files older than this (by the time in their
	// name), rounded up to a multiple of 24h: the unit lumberjack, which
	// logrotate used to wrap, counted in. Default (0) keeps files
	// regardless of age.
	MaxAge time.Duration
	// Compress compresses rotated files, in the background, with gzip
	// (<backup>.gz), once the writes pause (a second without rotation, at
	// most 10 s after one); FinishBackups completes the work at exit.
	// Default (NoCompression): backups stay plain.
	Compress Compression
	// RotateEvery also rotates the file when a period of this length ends
	// by the local wall clock: periods under a day start at midnight and
	// then every RotateEvery (1h: on the hour), periods of whole days at
	// midnight (24h: every midnight; 7 days: every Monday). An empty file
	// is not rotated. The size rule applies as well. Default (0) off;
	// minimum MinRotateEvery (1s); above 24h a whole number of days.
	RotateEvery time.Duration
	// Encoding is the character encoding of what ReadFrom reads, which it
	// decodes to UTF-8 before framing: any name internal/charset knows
	// (the WHATWG and IANA names, Windows code page numbers). Write is not
	// decoded. Default ("" or "utf-8") no decoding: bytes pass unchanged.
	Encoding string
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
	// for rotation and backup-mill failures, and a warning for every link
	// found (and replaced) where a log file or backup should be. It may
	// itself write into this File: reports are made without holding the
	// File's lock. Default (nil): the first 16 reports are held for
	// SetLogger, later ones discarded.
	Logger *slog.Logger
}

// File is a size-rotated log file. Open one *File per path and keep it for
// the process's lifetime: reuse it across child restarts and give the same
// *File to every stream aimed at that path. All methods are safe for
// concurrent use.
type File struct {
	path    string // the current file, cleaned
	dir     string // its directory
	base    string // its name in dir
	maxSize int64
	stamps  bool
	tailOn  bool
	wakes   atomic.Int64 // time-rotation timer firings, for tests
	now     func() time.Time
	regKey  string
	mill    *mill
	dropped atomic.Int64
	written atomic.Int64 // bytes written, for Written
	rotated atomic.Int64 // rotations done, for Rotations

	logMu  sync.Mutex
	logger *slog.Logger // nil: reports are held for SetLogger
	held   report       // reports made while logger was nil, at most maxHeld

	mu         sync.Mutex
	closed     bool
	failures   failureState
	root       *os.Root      // the log directory; nil = open it before the next write
	rootIdent  os.FileInfo   // root's directory, to notice the path no longer names it
	fh         *os.File      // the current file; nil = open it before the next write
	size       int64         // bytes in fh
	ident      os.FileInfo   // fh, to notice the path no longer names it
	nextCheck  time.Time     // when checkLocked next compares ident with the path
	checkEvery time.Duration // checkInterval; tests shorten it
	rotateAt   time.Time     // no automatic rotation before this (after a failure)
	retryEvery time.Duration // rotateRetry; tests shorten it
	lastBackup time.Time     // name time of the last backup, to keep names unique
	encoding   string        // canonical name of what ReadFrom decodes; "" = none
	every      time.Duration // RotateEvery; 0 = no time rotation
	nextRotate time.Time     // when the current file's period ends
	timeDue    bool          // a time rotation is owed (it failed, or was deferred)
	timer      *time.Timer   // fires at nextRotate; nil until first needed
	scratch    []byte        // framing buffer (timestamps, split lines), reused
	stamp      []byte        // the current timestamp prefix, reused
	tail       [][]byte      // the last lines written, a ring (see Tail)
	tailNext   int           // index of the oldest line in a full ring
}

// maxHeld bounds the reports a File keeps while it has no Logger.
const maxHeld = 16

var (
	registryMu sync.Mutex
	registry   = map[string]bool{}
)

// Open validates opts, creates the parent directories, opens the file for
// appending, creating it (mode 0o600) if missing, and starts the File's
// backup mill. The size of an existing file counts toward MaxSize. A link
// at Path is removed and replaced by a regular file, and reported (see
// Options.Logger). Open fails with ErrAlreadyOpen if Path is open through
// another File of this process.
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
	f := &File{
		path: path, dir: filepath.Dir(path), base: filepath.Base(path),
		maxSize: opts.MaxSize, stamps: opts.Timestamps, tailOn: opts.KeepTail,
		now: opts.Now, logger: opts.Logger, regKey: key, encoding: opts.Encoding, every: opts.RotateEvery,
		checkEvery: checkInterval, retryEvery: rotateRetry,
	}
	if f.now == nil {
		f.now = time.Now
	}
	var rep report
	if err := f.openLocked(&rep); err != nil { // not shared yet: no lock needed
		_ = f.closeLocked()
		return nil, err
	}
	written := f.ident.ModTime() // before terminateLastLine writes
	// A wrapper killed in the middle of a write left a cut line: end it,
	// so the new output starts a line of its own.
	size, err := terminateLastLine(f.fh)
	if err != nil {
		_ = f.closeLocked()
		return nil, fmt.Errorf("open log %s: %w", path, err)
	}
	f.size = size
	f.mill = startMill(path, millLimitsOf(opts.MaxFiles, opts.MaxAge, opts.Compress), f.report)
	f.mill.signal() // compress and prune what earlier runs left
	if f.every > 0 {
		if size == 0 {
			written = time.Now()
		}
		f.mu.Lock() // the timer's goroutine shares f from now on
		f.startTimerLocked(written)
		f.mu.Unlock()
	}
	registry[key] = true
	f.report(rep)
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
	if !o.Compress.valid() {
		errs = append(errs, fmt.Errorf("log compression %q: unknown (want gzip)", string(o.Compress)))
	}
	if err := checkRotateEvery(o.RotateEvery); err != nil {
		errs = append(errs, err)
	}
	if enc, ok := charset.Canonical(o.Encoding); !ok {
		errs = append(errs, fmt.Errorf("log encoding %q: unknown", o.Encoding))
	} else if enc == charset.UTF8 {
		o.Encoding = ""
	} else {
		o.Encoding = enc
	}
	return errors.Join(errs...)
}

// days converts d to whole days, rounding up.
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

// Close closes the current file, stops the backup mill (a compression in
// progress is abandoned: its partial output is removed and the plain
// backup stays, for the next run) and releases the path for another Open. Later writes fail with an error
// wrapping os.ErrClosed and count as dropped. Close is idempotent.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	if f.timer != nil {
		f.timer.Stop()
	}
	registryMu.Lock()
	delete(registry, f.regKey)
	registryMu.Unlock()
	err := f.closeLocked()
	f.mu.Unlock()
	// Without the lock: the mill may be reporting into a Logger that
	// writes into this File.
	f.mill.close()
	if err != nil {
		return fmt.Errorf("close log %s: %w", f.path, err)
	}
	return nil
}

// Rotate moves the current file aside as a backup now (even when empty) and
// starts a new one. Compression and pruning follow in the background.
func (f *File) Rotate() error {
	var rep report
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return fmt.Errorf("rotate log %s: %w", f.path, os.ErrClosed)
	}
	err := f.rotateLocked(&rep)
	f.mu.Unlock()
	f.report(rep)
	return err
}

// rotateLocked renames the current file to a backup name chosen here (one
// that no existing file uses, so an earlier backup is never replaced),
// creates the new file with O_EXCL, and wakes the mill. On failure the
// file and directory are left closed: the next write reopens them.
func (f *File) rotateLocked(rep *report) error {
	if err := f.openLocked(rep); err != nil {
		return fmt.Errorf("rotate log %s: %w", f.path, err)
	}
	prev, err := f.fh.Stat()
	if err == nil {
		// Closed before the rename, which Windows refuses while a handle
		// without delete sharing is open. A close error leaves nothing to
		// retry (the handle is gone).
		_ = f.fh.Close()
		f.fh, f.ident = nil, nil
		err = f.renameAsideLocked(prev)
	}
	if err != nil {
		_ = f.closeLocked()
		return fmt.Errorf("rotate log %s: %w", f.path, err)
	}
	fh, err := safefs.OpenFile(f.root, f.base, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		// Keep an owner and mode the operator chose, on the descriptor of
		// a file this process has just created.
		keepModeAndOwner(fh, prev)
		_ = f.adoptLocked(fh) // on failure the next write reopens
	case errors.Is(err, fs.ErrExist):
		// Something took the name since the rename: the next write opens
		// it through openLocked, which replaces a link.
	default:
		_ = f.closeLocked()
		return fmt.Errorf("rotate log %s: %w", f.path, err)
	}
	f.rotated.Add(1)
	f.timeDue = false // the new file holds nothing of the old period
	f.mill.signal()
	return nil
}

// renameAsideLocked renames the file at the log's name to a new backup
// name if it is prev, the file written so far. Anything else found there
// (planted since the last check) is left to openLocked, which replaces a
// link; renaming it would make a link a backup.
func (f *File) renameAsideLocked(prev os.FileInfo) error {
	cur, err := f.root.Lstat(f.base)
	if err != nil || !os.SameFile(cur, prev) {
		return nil
	}
	t, name := f.backupName(time.Now())
	if err := f.root.Rename(f.base, name); err != nil {
		return err
	}
	f.lastBackup = t
	return nil
}

// SetLogger sets the Logger (see Options.Logger) from now on, for a Logger
// that writes into this or another File and so can only exist after Open.
// The reports held while the File had none (such as a link replaced by
// Open) go to l first.
func (f *File) SetLogger(l *slog.Logger) {
	f.logMu.Lock()
	f.logger = l
	held := f.held
	if l != nil {
		f.held = nil
	}
	f.logMu.Unlock()
	if l != nil {
		f.emit(l, held)
	}
}
