//go:build unix

package systemd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Manager is where the service commands find systemd. System returns the
// real locations; tests point one at a temporary directory, a fake
// systemctl and a fake effective user id. There is no flag or environment
// variable for it on purpose: what a root command writes should not
// depend on an environment it happens to inherit. To stage a unit
// elsewhere, use `wrapper install --print > FILE`.
type Manager struct {
	UnitDir   string     // where units are written: /etc/systemd/system
	RunDir    string     // exists only while systemd is the init system (sd_booted(3))
	Systemctl string     // the systemctl program; a bare name is looked up on PATH
	Euid      func() int // the effective user id
}

// System returns the Manager of this machine's systemd.
func System() Manager {
	return Manager{UnitDir: "/etc/systemd/system", RunDir: "/run/systemd/system", Systemctl: "systemctl", Euid: os.Geteuid}
}

// isActiveTimeout bounds `systemctl is-active` for `wrapper status`, which
// must answer even when the bus does not.
const isActiveTimeout = 10 * time.Second

// UnitPath is the unit file of service name.
func (h Manager) UnitPath(name string) string {
	return filepath.Join(h.UnitDir, UnitName(name))
}

// Running reports why systemd cannot be asked here, or nil.
func (h Manager) Running() error {
	if _, err := os.Stat(h.RunDir); err != nil {
		return fmt.Errorf("systemd is not running on this machine (no %s)", h.RunDir)
	}
	if _, err := exec.LookPath(h.Systemctl); err != nil {
		return fmt.Errorf("systemd runs but %s is not found: %w", h.Systemctl, err)
	}
	return nil
}

// IsRoot reports whether this process may write units and call systemctl.
func (h Manager) IsRoot() bool { return h.Euid() == 0 }

// Ctl runs systemctl with args, its output going to stdout and stderr.
func (h Manager) Ctl(stdout, stderr io.Writer, args ...string) error {
	cmd := exec.Command(h.Systemctl, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("systemctl %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// IsActive returns `systemctl is-active` for the unit: active, inactive,
// failed, activating, deactivating, ... It exits non-zero for every state
// but active, so only its output counts.
func (h Manager) IsActive(name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), isActiveTimeout)
	defer cancel()
	out, _ := exec.CommandContext(ctx, h.Systemctl, "is-active", UnitName(name)).Output()
	if s := strings.TrimSpace(string(out)); s != "" {
		return s
	}
	return "unknown (systemctl is-active said nothing)"
}

// MainPID returns the process systemd runs as the main process of service
// name (the wrapper), or 0 when the unit runs none or systemd cannot be
// asked. A service account cannot forge it, unlike anything in the log
// directory: the CLI checks the control socket's peer against it.
func (h Manager) MainPID(name string) int {
	if h.Running() != nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), isActiveTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, h.Systemctl, "show", "--property=MainPID", "--value", UnitName(name)).Output()
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return pid
}

// ReadUnit returns the installed unit of name and whether `wrapper
// install` wrote it; os.ErrNotExist when there is none.
func (h Manager) ReadUnit(name string) (text string, ours bool, err error) {
	b, err := os.ReadFile(h.UnitPath(name))
	if err != nil {
		return "", false, err
	}
	return string(b), strings.HasPrefix(string(b), UnitMarker), nil
}

// WriteUnit replaces the unit file atomically (a temporary file renamed
// over it), so systemd never reads half a unit.
func (h Manager) WriteUnit(name, text string) error {
	if err := os.MkdirAll(h.UnitDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", h.UnitDir, err)
	}
	path := h.UnitPath(name)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}

// State returns systemd's view of the service for `wrapper status`:
// "not installed" when there is no unit file, else `systemctl is-active`;
// either says so when systemd is not running.
func (h Manager) State(name string) string {
	_, _, err := h.ReadUnit(name)
	notInstalled := errors.Is(err, os.ErrNotExist)
	switch down := h.Running(); {
	case notInstalled && down != nil:
		return "not installed; " + down.Error()
	case notInstalled:
		return "not installed"
	case down != nil:
		return "unknown: " + down.Error()
	}
	return h.IsActive(name)
}

// Drift lists the directives of the installed unit of name that differ
// from want, the unit `wrapper install` would write now: the YAML (user,
// capabilities, stop timeout, ...) or the wrapper's path changed since, or
// the file was edited. It returns nil when no unit is installed.
func (h Manager) Drift(name, want string) []string {
	got, ours, err := h.ReadUnit(name)
	if err != nil {
		return nil
	}
	if !ours {
		return []string{fmt.Sprintf("%s was not written by wrapper install", h.UnitPath(name))}
	}
	return unitDrift(got, want)
}

// unitDrift compares two units directive by directive (comments aside).
func unitDrift(got, want string) []string {
	gotKeys, g := parseUnit(got)
	keys, w := parseUnit(want)
	for _, k := range gotKeys {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	var d []string
	for _, k := range keys {
		if g[k] != w[k] {
			d = append(d, fmt.Sprintf("%s is %q, the YAML gives %q", k, g[k], w[k]))
		}
	}
	return d
}

// parseUnit maps "Section.Key" to the values of that key, joined by " | "
// when it repeats, and lists the keys in order of appearance.
func parseUnit(text string) ([]string, map[string]string) {
	var keys []string
	m := map[string]string{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "#"), strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, _ := strings.Cut(line, "=")
			k = section + "." + strings.TrimSpace(k)
			if old, ok := m[k]; ok {
				v = old + " | " + v
			} else {
				keys = append(keys, k)
			}
			m[k] = v
		}
	}
	return keys, m
}

// InstalledUnit is a unit `wrapper install` wrote.
type InstalledUnit struct {
	Name   string // the service name: the unit's without .service
	Config string // the YAML it was written from, as its first line names it
}

// InstalledUnits lists the units in UnitDir that `wrapper install` wrote
// (UnitMarker), by name; none when the directory does not exist. Links
// (a masked unit is one to /dev/null) are not units install writes.
func (h Manager) InstalledUnits() ([]InstalledUnit, error) {
	entries, err := os.ReadDir(h.UnitDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", h.UnitDir, err)
	}
	var out []InstalledUnit
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".service")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if text, ours, err := h.ReadUnit(name); err == nil && ours {
			out = append(out, InstalledUnit{Name: name, Config: unitConfig(text)})
		}
	}
	return out, nil
}

// unitConfig returns the YAML that the marker line of a unit install wrote
// names ("# Written by `wrapper install` from /etc/app/app.yaml.").
func unitConfig(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	rest, ok := strings.CutPrefix(line, UnitMarker+" from ")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(rest, ".")
}
