//go:build unix

package wrapper

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// reloadOnSignal reloads the configuration on SIGHUP, the Unix convention
// (`systemctl reload`, `kill -HUP`), until ctx ends or the returned stop is
// called.
func (h *host) reloadOnSignal(ctx context.Context) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				_, _ = h.reload() // the outcome is logged
			case <-ctx.Done():
				return
			case <-done:
				return
			}
		}
	}()
	return func() {
		// Ignore rather than restore the default (terminate): a reload sent
		// while the wrapper finishes must not kill it before its last
		// status and log records.
		signal.Ignore(syscall.SIGHUP)
		signal.Stop(hup)
		close(done)
	}
}
