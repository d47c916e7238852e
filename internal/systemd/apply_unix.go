//go:build unix

package systemd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Apply makes the unit of service name read text and be enabled at boot
// or not, changing only what differs, for `wrapper install --csv`: the
// unit file (then daemon-reload), then `systemctl enable` or `disable`.
// It returns "installed" (there was no unit), "updated" or "unchanged"
// (the file was the same and `systemctl is-enabled` already said so; then
// nothing but is-enabled was run). When a step fails it puts back what it
// changed, the old unit file or none and a daemon-reload, before it
// returns the error. The caller has checked that an existing unit is one
// `wrapper install` wrote (ReadUnit).
func (h Manager) Apply(name, text string, enable bool, stdout, stderr io.Writer) (string, error) {
	unit := UnitName(name)
	old, _, err := h.ReadUnit(name)
	existed := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	verb := "unchanged"
	switch {
	case !existed:
		verb = "installed"
	case old != text:
		verb = "updated"
	}
	if verb == "unchanged" && h.isEnabled(unit) == enable {
		return verb, nil
	}
	undo := func(cause error) error {
		if verb == "unchanged" {
			return cause
		}
		var err error
		if existed {
			err = h.WriteUnit(name, old)
		} else {
			err = os.Remove(h.UnitPath(name))
		}
		if err == nil {
			err = h.Ctl(stdout, stderr, "daemon-reload")
		}
		if err != nil {
			return fmt.Errorf("%w; putting the old unit back failed too: %v", cause, err)
		}
		return cause
	}
	if verb != "unchanged" {
		if err := h.WriteUnit(name, text); err != nil {
			return "", err
		}
		if err := h.Ctl(stdout, stderr, "daemon-reload"); err != nil {
			return "", undo(err)
		}
	}
	change := "disable"
	if enable {
		change = "enable"
	}
	if err := h.Ctl(stdout, stderr, change, "--quiet", unit); err != nil {
		return "", undo(err)
	}
	if verb == "unchanged" {
		verb = "updated" // the file was right, its enablement was not
	}
	return verb, nil
}

// isEnabled reports whether `systemctl is-enabled` says enabled. It exits
// non-zero for every other state, so only its output counts.
func (h Manager) isEnabled(unit string) bool {
	var out strings.Builder
	_ = h.Ctl(&out, io.Discard, "is-enabled", unit)
	return strings.TrimSpace(out.String()) == "enabled"
}
