//go:build unix

package systemd

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Active reports whether unit is active, as `systemctl is-active` says:
// nil when it is, else an error naming its state (inactive, failed,
// activating, ...; a unit systemd does not know is inactive). A name
// without a type suffix is a .service, as for systemctl. Where systemd
// does not run, or systemctl is missing, the error wraps
// errors.ErrUnsupported: the question has no answer on this machine, now
// or later. ctx bounds the call (systemctl waits for the bus).
func (h Manager) Active(ctx context.Context, unit string) error {
	if err := h.Running(); err != nil {
		return unsupported{fmt.Errorf("unit %s: %w", unit, err)}
	}
	// "--": a unit name is never taken for an option.
	// The state it prints decides, as for IsActive: its exit code says the
	// same for one unit.
	out, err := exec.CommandContext(ctx, h.Systemctl, "is-active", "--", unit).Output()
	state := strings.TrimSpace(string(out))
	switch {
	case state == "active":
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("systemctl is-active %s: %w", unit, ctx.Err())
	case state == "":
		return fmt.Errorf("systemctl is-active %s: %w", unit, err)
	}
	return fmt.Errorf("unit %s is %s", unit, state)
}

// unsupported marks an error as a question this machine cannot answer
// (errors.ErrUnsupported) without changing its text.
type unsupported struct{ error }

// Is reports errors.ErrUnsupported.
func (u unsupported) Is(target error) bool { return target == errors.ErrUnsupported }

// Unwrap returns the underlying error.
func (u unsupported) Unwrap() error { return u.error }
