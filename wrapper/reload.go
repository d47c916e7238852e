package wrapper

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// reload re-reads the YAML and applies it: log limits and restart, stop,
// health and hook settings at once; process settings (executable,
// arguments, environment, working directory) restart the child gracefully.
// An invalid file changes nothing. Log paths and the name are fixed for the
// wrapper's lifetime (they name open files): changing them needs a restart.
func (h *host) reload() (string, error) {
	h.reloading.Lock()
	defer h.reloading.Unlock()
	cur := h.config()
	opts := configOptions(h.exe)
	opts.DefaultName = cur.Name
	next, err := config.Load(cur.File, opts)
	var acct *supervisor.Account
	if err == nil {
		acct, err = childAccount(next) // a user this wrapper cannot switch to
	}
	if err != nil {
		h.logger.Warn("reload refused, keeping the running configuration", "err", err)
		return "", &refusedError{fmt.Errorf("reload refused, keeping the running configuration:\n%w", err)}
	}
	var notes []string
	if next.Name != cur.Name {
		notes = append(notes, "name changes need a restart (and a reinstall)")
	}
	if next.HTTP != cur.HTTP || next.Metrics != cur.Metrics {
		notes = append(notes, "http and metrics settings change at the next restart")
	}
	if !reflect.DeepEqual(next.Registry, cur.Registry) {
		notes = append(notes, "registry changes apply at the next restart of the wrapper")
	}
	if next.Log.Dir != cur.Log.Dir || next.Log.Stdout != cur.Log.Stdout ||
		next.Log.Stderr != cur.Log.Stderr || next.Log.Wrapper != cur.Log.Wrapper {
		notes = append(notes, "log paths change at the next restart")
	}
	next.Name, next.Log.Dir = cur.Name, cur.Log.Dir
	next.Log.Stdout, next.Log.Stderr, next.Log.Wrapper = cur.Log.Stdout, cur.Log.Stderr, cur.Log.Wrapper
	// The supervisor first: it can still refuse (stopping), and then
	// nothing has changed. Limits were validated by the config loader.
	if err := h.sup.Update(h.ctx, h.supervisorOptions(next, acct)); err != nil {
		h.logger.Warn("reload failed, keeping the running configuration", "err", err)
		return "", fmt.Errorf("reload failed: %w", err)
	}
	for _, f := range h.out.all {
		if err := f.SetLimits(logLimits(next, f == h.out.wrapper)); err != nil {
			h.logger.Warn("reload: log limits not applied", "file", f.Path(), "err", err)
		}
	}
	h.cfg.Store(next)
	if len(notes) > 0 {
		later := strings.Join(notes, "; ")
		h.logger.Info("configuration reloaded", "later", later)
		return "configuration reloaded (" + later + ")", nil
	}
	h.logger.Info("configuration reloaded")
	return "configuration reloaded", nil
}

// refusedError marks a reload refused because the new file is invalid,
// or names a user the wrapper cannot switch to (`wrapper reload` exits 2,
// as for a priority or affinity the supervisor cannot apply), rather than
// one that failed (exit 1).
type refusedError struct{ error }

func (e *refusedError) Unwrap() error { return e.error }
