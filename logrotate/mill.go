package logrotate

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// millLimits are the settings the mill works by.
type millLimits struct {
	maxFiles int           // backups kept; 0 = all
	maxAge   time.Duration // a whole number of days; 0 = no age limit
	compress bool
}

// millLimitsOf converts the Options fields of the same names.
func millLimitsOf(maxFiles int, maxAge time.Duration, compress bool) millLimits {
	age := time.Duration(math.MaxInt64) // beyond any backup's age
	if n := days(maxAge); int64(n) < math.MaxInt64/int64(24*time.Hour) {
		age = time.Duration(n) * 24 * time.Hour
	}
	return millLimits{maxFiles: maxFiles, maxAge: age, compress: compress}
}

// mill compresses and prunes the backups of one File in its own goroutine,
// one pass after each rotation and one at Open. Passes run outside the
// File's lock, so a slow compression never holds up the pump.
type mill struct {
	dir, prefix, ext string
	report           func(report) // the File's
	mu               sync.Mutex
	limits           millLimits
	wake             chan struct{} // capacity 1: a pass is due
	stop             chan struct{} // closed by close
	stopOnce         sync.Once
	done             chan struct{} // closed when run returns
	failing          bool          // run's own: a pass failed, none has succeeded since
}

func startMill(path string, l millLimits, report func(report)) *mill {
	prefix, ext := splitName(filepath.Base(path))
	m := &mill{
		dir: filepath.Dir(path), prefix: prefix, ext: ext, report: report, limits: l,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
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

// close stops the mill, abandoning a compression in progress, and waits
// for its goroutine to return. It is idempotent.
func (m *mill) close() {
	m.stopOnce.Do(func() { close(m.stop) })
	<-m.done
}

func (m *mill) run() {
	defer close(m.done)
	for {
		select {
		case <-m.stop:
			return
		case <-m.wake:
			m.mu.Lock()
			l := m.limits
			m.mu.Unlock()
			if l != (millLimits{}) {
				m.pass(l)
			}
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
		if err := m.compress(root, name, rep); errors.Is(err, errStopped) {
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
func (m *mill) list(root *os.Root) ([]backup, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, fmt.Errorf("read log directory: %w", err)
	}
	ents, err := d.ReadDir(-1)
	_ = d.Close()
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
// maxFiles, a plain backup and its compressed copy counting as one; older
// than maxAge) and the plain ones to compress, as lumberjack's mill did.
func plan(backups []backup, l millLimits, now time.Time) (remove, compress []string) {
	keep := backups
	if l.maxFiles > 0 {
		keep = nil
		seen := map[string]bool{}
		for _, b := range backups {
			seen[strings.TrimSuffix(b.name, compressSuffix)] = true
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
	if l.compress {
		for _, b := range keep {
			if !strings.HasSuffix(b.name, compressSuffix) {
				compress = append(compress, b.name)
			}
		}
	}
	return remove, compress
}
