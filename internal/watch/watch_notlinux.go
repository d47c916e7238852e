//go:build !linux

package watch

import "context"

// File calls changed after path changes, until ctx ends, by polling (see
// Poll); Linux uses inotify instead. fallback is not called here.
func File(ctx context.Context, path string, changed func(), _ func(error)) {
	Poll(ctx, path, changed)
}
