package logrotate

import (
	"os"
	"path/filepath"
	"time"
)

// backupTimeFormat and the layout built by backupName must match
// lumberjack's, or its mill would not recognise our backups when
// compressing and pruning them.
const (
	backupTimeFormat = "2006-01-02T15-04-05.000"
	compressSuffix   = ".gz"
)

// backupName returns a backup path for the current file that no existing
// file (plain or compressed) uses, in lumberjack's layout
// <dir>/<name>-<UTC time><ext>, and the time encoded in it.
//
// The time is now truncated to the millisecond, moved past the previous
// backup's time so that names stay unique and sort in rotation order even
// when rotations come faster than one per millisecond or the wall clock
// steps back, and moved further while a file of that name exists (left by
// an earlier process, for instance).
func (f *File) backupName(now time.Time) (time.Time, string) {
	dir := filepath.Dir(f.path)
	base := filepath.Base(f.path)
	ext := filepath.Ext(base)
	prefix := base[:len(base)-len(ext)] + "-"
	t := now.UTC().Truncate(time.Millisecond)
	if !f.lastBackup.IsZero() && !t.After(f.lastBackup) {
		t = f.lastBackup.Add(time.Millisecond)
	}
	for {
		name := filepath.Join(dir, prefix+t.Format(backupTimeFormat)+ext)
		if !exists(name) && !exists(name+compressSuffix) {
			return t, name
		}
		t = t.Add(time.Millisecond)
	}
}

// exists reports whether something is at path. Other errors (the directory
// is gone or not a directory) report false: the rename that follows fails
// with the real error, and the search for a free name must terminate.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
