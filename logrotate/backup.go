package logrotate

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Backups are named <name>-<UTC time><ext>[.gz] beside the current
// file, the layout lumberjack (which logrotate used to wrap) used, so
// backups of earlier versions are still compressed and pruned.
const backupTimeFormat = "2006-01-02T15-04-05.000"

// backupName returns a backup name (in the log directory) for the current
// file that no existing file (plain or compressed) uses, and the time
// encoded in it.
//
// The time is now truncated to the millisecond, moved past the previous
// backup's time so that names stay unique and sort in rotation order even
// when rotations come faster than one per millisecond or the wall clock
// steps back, and moved further while a file of that name exists (left by
// an earlier process, for instance).
func (f *File) backupName(now time.Time) (time.Time, string) {
	prefix, ext := splitName(f.base)
	t := now.UTC().Truncate(time.Millisecond)
	if !f.lastBackup.IsZero() && !t.After(f.lastBackup) {
		t = f.lastBackup.Add(time.Millisecond)
	}
	for {
		name := prefix + t.Format(backupTimeFormat) + ext
		if !exists(f.root, name) && !exists(f.root, name+gzipSuffix) {
			return t, name
		}
		t = t.Add(time.Millisecond)
	}
}

// splitName returns the prefix ("app-") and extension (".log") of the
// backups of the file named base ("app.log").
func splitName(base string) (prefix, ext string) {
	ext = filepath.Ext(base)
	return base[:len(base)-len(ext)] + "-", ext
}

// backupTime returns the time encoded in name if name is a backup (plain or
// compressed) of a file with this prefix and ext.
func backupTime(name, prefix, ext string) (t time.Time, ok bool) {
	name, _ = plainName(name)
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ext) || len(name) < len(prefix)+len(ext) {
		return time.Time{}, false
	}
	t, err := time.Parse(backupTimeFormat, name[len(prefix):len(name)-len(ext)])
	return t, err == nil
}

// exists reports whether something (a link included) is at name in root.
// Other errors (the directory is gone) report false: the rename that
// follows fails with the real error, and the search for a free name must
// terminate.
func exists(root *os.Root, name string) bool {
	_, err := root.Lstat(name)
	return err == nil
}
