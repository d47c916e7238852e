package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wrapper-dev/wrapper/config"
)

// systemdHost is where the Linux service commands find systemd. The
// package variable holds the real locations; tests point it at a temporary
// directory, a fake systemctl and a fake effective user id. There is no
// flag or environment variable for it on purpose: what a root command
// writes should not depend on an environment it happens to inherit. To
// stage a unit elsewhere, use `wrapper install --print > FILE`.
type systemdHost struct {
	unitDir   string     // where units are written: /etc/systemd/system
	runDir    string     // exists only while systemd is the init system (sd_booted(3))
	systemctl string     // the systemctl program; a bare name is looked up on PATH
	euid      func() int // the effective user id
}

// systemd is the host the commands use.
var systemd = systemdHost{
	unitDir:   "/etc/systemd/system",
	runDir:    "/run/systemd/system",
	systemctl: "systemctl",
	euid:      os.Geteuid,
}

// isActiveTimeout bounds `systemctl is-active` for `wrapper status`, which
// must answer even when the bus does not.
const isActiveTimeout = 10 * time.Second

// unitPath is the unit file of service name.
func (h systemdHost) unitPath(name string) string {
	return filepath.Join(h.unitDir, unitName(name))
}

// running reports why systemd cannot be asked here, or nil.
func (h systemdHost) running() error {
	if _, err := os.Stat(h.runDir); err != nil {
		return fmt.Errorf("systemd is not running on this machine (no %s)", h.runDir)
	}
	if _, err := exec.LookPath(h.systemctl); err != nil {
		return fmt.Errorf("systemd runs but %s is not found: %w", h.systemctl, err)
	}
	return nil
}

// require checks that cmd can manage services here: systemd runs, and this
// process is root. It prints why not and returns the exit code, or 0.
func (h systemdHost) require(cmd string, cfg *config.Config, stderr io.Writer) int {
	if err := h.running(); err != nil {
		fmt.Fprintf(stderr, "wrapper %s: no service manager to ask: %v.\n"+
			"Run the wrapper in the foreground instead: wrapper run --config %s\n", cmd, err, cfg.File)
		if cmd == "install" || cmd == "uninstall" {
			fmt.Fprintf(stderr, "To write or remove only the unit file (for example while building an image), "+
				"pass --unit-only; to see the unit, wrapper install --print.\n")
		}
		return ExitNoServiceManager
	}
	return h.requireRoot(cmd, stderr)
}

// requireRoot checks that this process is root.
func (h systemdHost) requireRoot(cmd string, stderr io.Writer) int {
	if h.euid() != 0 {
		fmt.Fprintf(stderr, "wrapper %s: must run as root (it writes %s and calls systemctl): try sudo\n", cmd, h.unitDir)
		return ExitNotAdmin
	}
	return ExitOK
}

// ctl runs systemctl with args, its output going to stdout and stderr.
func (h systemdHost) ctl(stdout, stderr io.Writer, args ...string) error {
	cmd := exec.Command(h.systemctl, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("systemctl %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// isActive returns `systemctl is-active` for the unit: active, inactive,
// failed, activating, deactivating, ... It exits non-zero for every state
// but active, so only its output counts.
func (h systemdHost) isActive(name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), isActiveTimeout)
	defer cancel()
	out, _ := exec.CommandContext(ctx, h.systemctl, "is-active", unitName(name)).Output()
	if s := strings.TrimSpace(string(out)); s != "" {
		return s
	}
	return "unknown (systemctl is-active said nothing)"
}

// readUnit returns the installed unit of name and whether `wrapper
// install` wrote it; os.ErrNotExist when there is none.
func (h systemdHost) readUnit(name string) (text string, ours bool, err error) {
	b, err := os.ReadFile(h.unitPath(name))
	if err != nil {
		return "", false, err
	}
	return string(b), strings.HasPrefix(string(b), unitMarker), nil
}

// writeUnit replaces the unit file atomically (a temporary file renamed
// over it), so systemd never reads half a unit.
func (h systemdHost) writeUnit(name, text string) error {
	if err := os.MkdirAll(h.unitDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", h.unitDir, err)
	}
	path := h.unitPath(name)
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

// serviceState returns systemd's view of the service for `wrapper status`:
// "not installed" when there is no unit file, else `systemctl is-active`;
// either says so when systemd is not running.
func serviceState(name string) string {
	_, _, err := systemd.readUnit(name)
	notInstalled := errors.Is(err, os.ErrNotExist)
	switch down := systemd.running(); {
	case notInstalled && down != nil:
		return "not installed; " + down.Error()
	case notInstalled:
		return "not installed"
	case down != nil:
		return "unknown: " + down.Error()
	}
	return systemd.isActive(name)
}

// serviceDrift lists the unit's directives that differ from what `wrapper
// install` would write now: the YAML (user, capabilities, stop timeout,
// ...) or the wrapper's path changed since, or the file was edited.
func serviceDrift(cfg *config.Config) []string {
	got, ours, err := systemd.readUnit(cfg.Name)
	if err != nil {
		return nil
	}
	if !ours {
		return []string{fmt.Sprintf("%s was not written by wrapper install", systemd.unitPath(cfg.Name))}
	}
	exe, err := executable()
	if err != nil {
		return nil
	}
	want, err := unitFile(cfg, exe)
	if err != nil {
		return []string{fmt.Sprintf("the YAML cannot be installed: %v", err)}
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
