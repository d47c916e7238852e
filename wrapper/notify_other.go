//go:build !linux

package wrapper

import (
	"context"
	"log/slog"

	"github.com/wrapper-dev/wrapper/supervisor"
)

// notifySystemd returns onStatus as it is: systemd exists only on Linux.
func notifySystemd(_ context.Context, onStatus func(supervisor.Status), _ *slog.Logger) (func(supervisor.Status), func()) {
	return onStatus, func() {}
}
