package logrotate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/internal/safefs"
)

// millLimits are the settings the mill works by.
type millLimits struct {
	maxFiles int           // backups kept; 0 = all
	maxAge   time.Duration // a whole number of days; 0 = no age limit
	compress Compression
}

// millLimitsOf converts the Options fields of the same names.
func millLimitsOf(maxFiles int, maxAge time.Duration, compress Compression) millLimits {
	age := time.Duration(math.MaxInt64) // beyond any backup's age
	if n := days(maxAge); int64(n) < math.MaxInt64/int64(24*time.Hour) {
		age = time.Duration(n) * 24 * time.Hour
	}
	return millLimits{maxFiles: maxFiles, maxAge: age, compress: compress}
}

// mill compresses and prunes the backups of one File in its own goroutine,
// one pass after each rotation and one at Open, and one for finish at
// exit. Passes run outside the File's lock, so a slow compression never
// holds up the pump; until finish, each backup is compressed on a thread
// at low priority (background). A pass after a rotation prunes at once
// but compresses only when the writes pause (compressAt): even at the
// lowest priority, a compressor that fills the gaps of a child writing
// flat out slows it (docs/performance.md#compression).
type mill struct {
	dir, prefix, ext string
	report           func(report) // the File's
	mu               sync.Mutex
	limits           millLimits
	wake             chan struct{}      // capacity 1: a pass is due
	flush            chan chan struct{} // finish's pass, closed when done
	hurry            chan struct{}      // closed by finish: compress at once, at normal priority
	hurryOnce        sync.Once
	low              lowered       // the thread compressing in the background, if any
	stop             chan struct{} // closed by close
	stopOnce         sync.Once
	done             chan struct{} // closed when run returns
	failing          bool          // run's own: a pass failed, none has succeeded since
	quiet, lag       time.Duration // compressAt's, from millWait
}

// Backups wait for compression until the File has gone compressQuiet
// without a rotation, or at most compressLag after the first rotation
// that left one: a burst is written at full speed and compressed after
// it, a stream rotating less often than every compressQuiet a little after
// each rotation, a faster one every compressLag.
const (
	compressQuiet = time.Second
	compressLag   = 10 * time.Second
)

// millWait is what startMill gives a mill: compressQuiet and compressLag,
// but in tests.
var millWait = struct{ quiet, lag time.Duration }{compressQuiet, compressLag}

// compressAt returns when backups waiting since the wake first (the
// first rotation, Open or SetLimits not yet followed by a compressing
// pass) are compressed, last being the latest wake: quiet after the
// latest, and no later than lag after the first.
func compressAt(first, last time.Time, quiet, lag time.Duration) time.Time {
	at := last.Add(quiet)
	if limit := first.Add(lag); limit.Before(at) {
		return limit
	}
	return at
}

func startMill(path string, l millLimits, report func(report)) *mill {
	prefix, ext := splitName(filepath.Base(path))
	m := &mill{
		dir: filepath.Dir(path), prefix: prefix, ext: ext, report: report, limits: l,
		wake: make(chan struct{}, 1), flush: make(chan chan struct{}), stop: make(chan struct{}),
		hurry: make(chan struct{}), done: make(chan struct{}), quiet: millWait.quiet, lag: millWait.lag,
	}
	go m.run()
	return m
}

// set changes the limits from the next pass on and reports whether they
// changed.
func (m *mill) set(l millLimits) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	changed := m.limits != l
	m.limits = l
	return changed
}

// get returns the limits of the next pass.
func (m *mill) get() millLimits {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.limits
}

// signal asks for a pass; it never blocks.
func (m *mill) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// FinishBackups has the backup mill compress (and prune) every backup now,
// at normal priority, and waits until it is done or ctx ends, whichever
// comes first: called at exit, before Close, so that no backup is left
// plain. When ctx ends first it returns ctx's error; the compression in
// progress goes on until Close abandons it (its partial output removed,
// the plain backup left for the next Open's pass). The File stays usable;
// its later passes run at normal priority too.
func (f *File) FinishBackups(ctx context.Context) error {
	if err := f.mill.finish(ctx); err != nil {
		return fmt.Errorf("finish the backups of %s: %w", f.path, err)
	}
	return nil
}

// finish runs a pass at normal priority, after the one in progress if
// any, and waits until it is done or ctx ends: then it returns ctx's
// error, and the pass goes on until close abandons it.
func (m *mill) finish(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.hurryOnce.Do(func() { close(m.hurry) })
	m.low.hurry()
	done := make(chan struct{})
	select {
	case m.flush <- done:
	case <-m.done: // closed: nothing runs any more
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops the mill, abandoning a compression in progress (its partial
// output removed), and waits for its goroutine to return. It is
// idempotent.
func (m *mill) close() {
	m.stopOnce.Do(func() { close(m.stop) })
	<-m.done
}

// run is the mill's goroutine: a pass at every wake, compressing once
// due (compressAt), at once after finish.
func (m *mill) run() {
	defer close(m.done)
	due := time.NewTimer(time.Hour)
	due.Stop()
	defer due.Stop()
	var first time.Time // the first wake since the last compressing pass; zero: none
	for {
		var done chan struct{}
		compress := false
		select {
		case <-m.stop:
			return
		case <-m.wake:
			if m.get().compress != NoCompression {
				now := time.Now()
				if first.IsZero() {
					first = now
				}
				due.Reset(time.Until(compressAt(first, now, m.quiet, m.lag)))
			}
		case <-due.C:
			compress = true
		case done = <-m.flush:
			compress = true
		}
		compress = compress || m.urgent()
		if compress {
			first = time.Time{}
			due.Stop()
		}
		l := m.get()
		if !compress {
			l.compress = NoCompression
		}
		if l != (millLimits{}) {
			m.pass(l)
		}
		if done != nil {
			close(done)
		}
	}
}

// pass runs one pass and reports its first failure after success, its
// recovery, and every link it removed.
func (m *mill) pass(l millLimits) {
	var rep report
	err := m.work(l, &rep)
	switch {
	case errors.Is(err, errStopped):
	case err != nil && !m.failing:
		m.failing = true
		rep.add(slog.LevelWarn, "log backup compression or pruning failed; retried after the next rotation", slog.Any("err", err))
	case err == nil && m.failing:
		m.failing = false
		rep.add(slog.LevelInfo, "log backup compression and pruning recovered")
	}
	m.report(rep)
}

// work removes the backups beyond the limits, then compresses the plain
// ones left, newest first. The directory is opened afresh for each pass.
func (m *mill) work(l millLimits, rep *report) error {
	root, err := os.OpenRoot(m.dir)
	if err != nil {
		return fmt.Errorf("open log directory: %w", err)
	}
	defer root.Close()
	backups, err := m.list(root)
	if err != nil {
		return err
	}
	remove, compress := plan(backups, l, time.Now())
	var errs []error
	for _, name := range remove {
		// Remove acts on the name: a link is removed, never its target.
		if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove log backup: %w", err))
		}
	}
	for i, name := range compress {
		if m.urgent() {
			return errors.Join(append(errs, m.compressAll(root, compress[i:], rep))...)
		}
		if m.woken() {
			break // the writes resumed: prune now, compress at the next pause
		}
		err := m.compress(root, name, rep)
		if errors.Is(err, errYield) {
			break
		}
		if errors.Is(err, errStopped) {
			return err
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// urgent reports whether finish was called.
func (m *mill) urgent() bool {
	select {
	case <-m.hurry:
		return true
	default:
		return false
	}
}

// woken reports whether a pass is due, a rotation having come since this
// one began, and leaves it due.
func (m *mill) woken() bool {
	select {
	case <-m.wake:
		m.signal()
		return true
	default:
		return false
	}
}

// compressAll compresses names at normal priority, once finish was
// called: one backup per processor at a time, as the child is gone and
// every millisecond counts against the stop budget. It returns
// errStopped if Close interrupted it.
func (m *mill) compressAll(root *os.Root, names []string, rep *report) error {
	work := make(chan string)
	workers := min(len(names), runtime.GOMAXPROCS(0), runtime.NumCPU())
	errs := make([][]error, workers)
	reps := make([]report, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for name := range work {
				if err := m.compressNow(root, name, &reps[w]); err != nil {
					errs[w] = append(errs[w], err)
				}
			}
		})
	}
	stopped := false
feed:
	for _, name := range names {
		select {
		case work <- name:
		case <-m.stop:
			stopped = true
			break feed
		}
	}
	close(work)
	wg.Wait()
	var all []error
	for w := range workers {
		*rep = append(*rep, reps[w]...)
		for _, err := range errs[w] {
			if errors.Is(err, errStopped) {
				stopped = true
			} else {
				all = append(all, err)
			}
		}
	}
	if stopped {
		return errStopped
	}
	return errors.Join(all...)
}

// backup is a backup file found in the log directory.
type backup struct {
	name string
	t    time.Time // the time in its name
}

// list returns the backups in root, plain and compressed, newest first.
// safefs.ReadDir gives each entry's type from the directory: a File that
// root.Open returns would lstat every entry, a cost in proportion to the
// backups kept, paid on every pass.
func (m *mill) list(root *os.Root) ([]backup, error) {
	ents, err := safefs.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read log directory: %w", err)
	}
	var out []backup
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if t, ok := backupTime(e.Name(), m.prefix, m.ext); ok {
			out = append(out, backup{e.Name(), t})
		}
	}
	slices.SortStableFunc(out, func(a, b backup) int { return b.t.Compare(a.t) })
	return out, nil
}

// plan chooses, from backups sorted newest first, those to remove (beyond
// maxFiles, a plain backup and its compressed copy counting as one;
// older than maxAge) and the plain ones to compress, as lumberjack's mill
// did.
func plan(backups []backup, l millLimits, now time.Time) (remove, compress []string) {
	keep := backups
	if l.maxFiles > 0 {
		keep = nil
		seen := map[string]bool{}
		for _, b := range backups {
			plain, _ := plainName(b.name)
			seen[plain] = true
			if len(seen) > l.maxFiles {
				remove = append(remove, b.name)
			} else {
				keep = append(keep, b)
			}
		}
	}
	if l.maxAge > 0 {
		cutoff := now.Add(-l.maxAge)
		var kept []backup
		for _, b := range keep {
			if b.t.Before(cutoff) {
				remove = append(remove, b.name)
			} else {
				kept = append(kept, b)
			}
		}
		keep = kept
	}
	if l.compress != NoCompression {
		for _, b := range keep {
			if _, compressed := plainName(b.name); !compressed {
				compress = append(compress, b.name)
			}
		}
	}
	return remove, compress
}
