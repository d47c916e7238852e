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
	"slices"
	"sync"
	"sync/atomic"
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
// at low priority (background).
type mill struct {
	dir, prefix, ext string
	report           func(report) // the File's
	mu               sync.Mutex
	limits           millLimits
	wake             chan struct{}      // capacity 1: a pass is due
	flush            chan chan struct{} // finish's pass, closed when done
	urgent           atomic.Bool        // finish called: compress at normal priority
	stop             chan struct{}      // closed by close
	stopOnce         sync.Once
	done             chan struct{} // closed when run returns
	failing          bool          // run's own: a pass failed, none has succeeded since
}

func startMill(path string, l millLimits, report func(report)) *mill {
	prefix, ext := splitName(filepath.Base(path))
	m := &mill{
		dir: filepath.Dir(path), prefix: prefix, ext: ext, report: report, limits: l,
		wake: make(chan struct{}, 1), flush: make(chan chan struct{}), stop: make(chan struct{}),
		done: make(chan struct{}),
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
	m.urgent.Store(true)
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

func (m *mill) run() {
	defer close(m.done)
	for {
		var done chan struct{}
		select {
		case <-m.stop:
			return
		case <-m.wake:
		case done = <-m.flush:
		}
		m.mu.Lock()
		l := m.limits
		m.mu.Unlock()
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
	for _, name := range compress {
		if err := m.compress(root, name, !m.urgent.Load(), rep); errors.Is(err, errStopped) {
			return err
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
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
