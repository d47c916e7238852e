package wrapper

import (
	"context"
	"os"
	"time"
)

// watchPoll is how often pollConfig looks at the YAML's modification
// time: a stat every two seconds costs nothing measurable, works on every
// platform and file system (network shares included), and needs no
// dependency; a reload within two seconds of saving is soon enough.
const watchPoll = 2 * time.Second

// pollConfig reloads when the YAML's modification time or size changes,
// until ctx ends: watchConfig on systems without a file-change event the
// wrapper uses. An invalid edit is refused by reload (and logged); the next
// save is tried again.
func (h *host) pollConfig(ctx context.Context) {
	path := h.config().File
	last, _ := os.Stat(path)
	tick := time.NewTicker(watchPoll)
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
		h.logger.Info("configuration file changed, reloading", "config", path)
		_, _ = h.reload()
	}
}
