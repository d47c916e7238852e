// Package watch calls back when one file changes: the wrapper's `watch:
// true`, which reloads the YAML on save. Linux watches the file's folder
// with inotify; other systems poll the file's modification time and size.
package watch

import (
	"context"
	"os"
	"time"
)

// pollEvery is how often Poll looks at the file: a stat every two seconds
// costs nothing measurable, works on every platform and file system
// (network shares included), and a reload within two seconds of saving is
// soon enough.
const pollEvery = 2 * time.Second

// Poll calls changed when path's modification time or size changes, until
// ctx ends. It is File's fallback, and File itself where there is no
// file-change event to wait on.
func Poll(ctx context.Context, path string, changed func()) {
	last, _ := os.Stat(path)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		cur, err := os.Stat(path)
		if err != nil || (last != nil && cur.ModTime().Equal(last.ModTime()) && cur.Size() == last.Size()) {
			continue
		}
		last = cur
		changed()
	}
}
