//go:build !linux

package wrapper

import "context"

// watchConfig reloads when the YAML changes, until ctx ends, by polling
// (see pollConfig); Linux uses inotify instead.
func (h *host) watchConfig(ctx context.Context) { h.pollConfig(ctx) }
