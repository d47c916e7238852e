package wrapper

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wrapper-dev/wrapper/config"
)

// unitMarker starts every unit `wrapper install` writes: install replaces
// and uninstall deletes only a file that starts with it, never a unit
// written by hand or by a package.
const unitMarker = "# Written by `wrapper install`"

// unitStopSlack is added to stop.timeout for TimeoutStopSec=. Within it the
// wrapper's own stop ladder must end: the stop signal, stop.timeout, SIGKILL
// to the child's group, the bounded wait for the child's last output (5 s)
// and the wrapper's exit. Only then does systemd's SIGKILL (KillMode=mixed)
// end whatever is left. window_timeout is not added: WM_CLOSE is Windows'.
const unitStopSlack = 10 * time.Second

// Exit codes systemd must not answer with a restart of the wrapper: they
// are the wrapper's own decisions, not crashes (docs/linux-service.md).
var noRestartCodes = []int{ExitUsage, ExitChildFailed, ExitGaveUp}

// unitName is the systemd unit of service name.
func unitName(name string) string { return name + ".service" }

// unitFile returns the systemd unit that runs exe for cfg. It depends on
// nothing but its arguments, so golden files pin it down; every value is
// escaped for the unit syntax, and a value that cannot be written safely is
// an error naming its key.
func unitFile(cfg *config.Config, exe string) (string, error) {
	u := &unitWriter{}
	desc, err := unitDescription(cfg)
	if err != nil {
		return "", err
	}
	deps, err := unitDependencies(cfg.Service.Dependencies)
	if err != nil {
		return "", err
	}
	if err := checkAccount(cfg.Service); err != nil {
		return "", err
	}
	paths := []namedPath{
		{what: "the wrapper executable", path: exe}, {what: "the configuration file", path: cfg.File},
		{what: "executable", path: cfg.Executable}, {what: "working_directory", path: cfg.WorkingDirectory, dir: true},
		{what: "log.dir", path: cfg.Log.Dir, dir: true}, {what: "env_file", path: cfg.EnvFile},
	}
	for _, p := range paths {
		if err := checkUnitPath(p); err != nil {
			return "", err
		}
	}
	u.line(unitMarker + " from " + cfg.File + ".")
	u.comment("Edit the YAML and run `wrapper install` again: it replaces this file.")
	u.section("Unit")
	u.set("Description", desc)
	if len(deps) > 0 {
		u.set("Wants", strings.Join(deps, " "))
		u.set("After", strings.Join(deps, " "))
	}
	for _, dir := range mountDirs(paths) {
		u.set("RequiresMountsFor", quotePath(dir))
	}
	if cfg.Service.StartMode == config.StartDisabled {
		u.comment("service.start_mode: disabled: not enabled, and `systemctl start` is refused.")
		u.set("RefuseManualStart", "yes")
	}
	unitService(u, cfg, exe)
	unitSandbox(u, cfg, paths)
	u.section("Install")
	u.set("WantedBy", "multi-user.target")
	return u.String(), nil
}

// unitService writes how systemd runs, restarts and stops the wrapper.
func unitService(u *unitWriter, cfg *config.Config, exe string) {
	u.section("Service")
	u.comment("The wrapper reports READY=1 once the child runs (and is healthy, with a health check).")
	u.set("Type", "notify")
	u.set("NotifyAccess", "main")
	u.set("ExecStart", quoteExec(exe, false)+" run --config "+quoteExec(cfg.File, true))
	u.set("ExecReload", "/bin/kill -HUP $MAINPID")
	u.set("SyslogIdentifier", cfg.Name)
	u.set("User", cfg.Service.User)
	if cfg.Service.Group != "" {
		u.set("Group", cfg.Service.Group)
	}
	if len(cfg.Service.Recovery) == 0 {
		u.comment("service.recovery: []: systemd does not restart the wrapper; the wrapper restarts the child.")
		u.set("Restart", "no")
	} else {
		u.comment("The wrapper restarts the child; systemd restarts only a wrapper that dies. Exit codes")
		u.comment("2 (invalid configuration), 3 (restart policy forbids) and 4 (gave up) are decisions, not crashes.")
		codes := make([]string, len(noRestartCodes))
		for i, c := range noRestartCodes {
			codes[i] = fmt.Sprint(c)
		}
		u.set("Restart", "on-failure")
		u.set("RestartSec", systemdSpan(cfg.Service.Recovery[0]))
		u.set("RestartPreventExitStatus", strings.Join(codes, " "))
	}
	u.comment("SIGTERM to the wrapper alone, which stops the child in order; SIGKILL to what is left after")
	u.comment("TimeoutStopSec (stop.timeout + " + unitStopSlack.String() + ").")
	u.set("KillMode", "mixed")
	u.set("TimeoutStopSec", systemdSpan(cfg.Stop.Timeout+unitStopSlack))
}

// unitSandbox writes the least-privilege settings: a read-only system
// except the log and working directories, no privilege gain, a private
// /tmp, and capabilities only when the YAML asks.
func unitSandbox(u *unitWriter, cfg *config.Config, paths []namedPath) {
	u.set("NoNewPrivileges", "yes")
	u.set("ProtectSystem", "strict")
	if underHome(paths) {
		u.comment("Paths under /home, /root or /run/user: ProtectHome=read-only keeps them readable,")
		u.comment("ReadWritePaths= below keeps the log and working directories writable.")
	}
	u.set("ProtectHome", "read-only")
	u.set("PrivateTmp", "yes")
	for _, dir := range writableDirs(cfg) {
		u.set("ReadWritePaths", quotePath(dir))
	}
	if caps := cfg.Service.Capabilities; len(caps) > 0 {
		u.set("AmbientCapabilities", strings.Join(caps, " "))
		u.set("CapabilityBoundingSet", strings.Join(caps, " "))
	}
}

// unitDescription is display_name and description joined, whichever the
// YAML sets, else the name.
func unitDescription(cfg *config.Config) (string, error) {
	var parts []string
	if cfg.DisplayName != "" && cfg.DisplayName != cfg.Name {
		parts = append(parts, cfg.DisplayName)
	}
	if cfg.Description != "" {
		parts = append(parts, cfg.Description)
	}
	if len(parts) == 0 {
		parts = append(parts, cfg.Name)
	}
	d := strings.Join(parts, ": ")
	// A unit line ending in a backslash continues on the next line: the
	// description would swallow the directive after it.
	if strings.HasSuffix(d, `\`) {
		return "", errors.New("display_name/description: must not end with a backslash (systemd reads it as a line continuation)")
	}
	return escapeSpecifiers(d), nil
}

// unitSuffixes are the unit types a dependency may name; a name without
// one is a service.
var unitSuffixes = []string{".service", ".socket", ".target", ".mount", ".automount", ".device",
	".path", ".timer", ".swap", ".slice", ".scope"}

// unitNameRule is the character set of systemd unit names; they are at
// most 255 bytes long (checked apart: a counted repetition such as
// {1,255} compiles into a program of hundreds of states, and compiling it
// at start-up cost the wrapper a millisecond on every run).
var unitNameRule = regexp.MustCompile(`^[A-Za-z0-9:_.\\@-]+$`)

// unitDependencies turns service.dependencies into unit names.
func unitDependencies(deps []string) ([]string, error) {
	out := make([]string, 0, len(deps))
	for i, d := range deps {
		if !slices.ContainsFunc(unitSuffixes, func(s string) bool { return strings.HasSuffix(d, s) }) {
			d += ".service"
		}
		if len(d) > 255 || !unitNameRule.MatchString(d) {
			return nil, fmt.Errorf("service.dependencies[%d]: %q is not a systemd unit name (letters, digits and : _ . \\ @ -)", i, deps[i])
		}
		out = append(out, d)
	}
	return out, nil
}

// accountRule accepts user and group names as useradd and systemd do (a
// trailing $ for Samba machine accounts) and numeric ids; validAccount
// adds the length limit of 255 bytes before the $ (see unitNameRule).
var accountRule = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$`)

func validAccount(s string) bool {
	return len(strings.TrimSuffix(s, "$")) <= 255 && accountRule.MatchString(s)
}

// checkAccount requires an explicit service.user: a unit without User=
// runs as root, and that must be asked for, not fallen into.
func checkAccount(s config.Service) error {
	if s.User == "" {
		return errors.New("service.user: not set. On Linux the service runs as the account you name; " +
			"create one (useradd --system --no-create-home --shell /usr/sbin/nologin NAME) and set service.user: NAME, " +
			"or set service.user: root to run it as root")
	}
	if !validAccount(s.User) {
		return fmt.Errorf("service.user: %q is not a valid user name", s.User)
	}
	if s.Group != "" && !validAccount(s.Group) {
		return fmt.Errorf("service.group: %q is not a valid group name", s.Group)
	}
	return nil
}

// namedPath is a path the unit refers to, with what it is for messages;
// dir marks a directory (else it is a file).
type namedPath struct {
	what, path string
	dir        bool
}

// checkUnitPath refuses a path a unit cannot hold: a control character
// would break the line, and quotes and backslashes are read as escapes
// differently by different directives.
func checkUnitPath(p namedPath) error {
	if strings.ContainsFunc(p.path, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == '\\' }) {
		return fmt.Errorf("%s: %q contains a quote, backslash or control character, which a systemd unit cannot hold safely", p.what, p.path)
	}
	return nil
}

// mountDirs are the directories whose file systems must be mounted before
// the wrapper starts (RequiresMountsFor=), once each, in order.
func mountDirs(paths []namedPath) []string {
	var dirs []string
	for _, p := range paths {
		if !filepath.IsAbs(p.path) { // "" (no env_file) or a bare executable found on PATH
			continue
		}
		dir := p.path
		if !p.dir {
			dir = filepath.Dir(p.path)
		}
		if !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// writableDirs are the log and working directories, leaving out one that
// lies inside the other (ReadWritePaths= covers subdirectories).
func writableDirs(cfg *config.Config) []string {
	logDir, wd := cfg.Log.Dir, cfg.WorkingDirectory
	switch {
	case within(logDir, wd):
		return []string{wd}
	case within(wd, logDir):
		return []string{logDir}
	}
	return []string{logDir, wd}
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// underHome reports whether a path lies where ProtectHome= applies.
func underHome(paths []namedPath) bool {
	return slices.ContainsFunc(paths, func(p namedPath) bool {
		return filepath.IsAbs(p.path) && (within(p.path, "/home") || within(p.path, "/root") || within(p.path, "/run/user"))
	})
}

// systemdSpan writes d as a systemd time span: whole seconds when exact,
// else milliseconds.
func systemdSpan(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", (d+time.Millisecond-1)/time.Millisecond)
}

// escapeSpecifiers doubles %: systemd expands %n, %i, ... in most values.
func escapeSpecifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// quotePath writes a checked path for ReadWritePaths= and
// RequiresMountsFor=: specifiers escaped, double quotes around it when it
// has white space.
func quotePath(p string) string {
	p = escapeSpecifiers(p)
	if strings.ContainsFunc(p, func(r rune) bool { return r == ' ' || r == '\'' }) {
		return `"` + p + `"`
	}
	return p
}

// quoteExec writes a checked path as one ExecStart= word: specifiers
// escaped, double quotes around it unless it is plain, and in an argument
// (not in the command, which systemd never expands) $ escaped as $$.
func quoteExec(p string, arg bool) string {
	p = escapeSpecifiers(p)
	if arg {
		p = strings.ReplaceAll(p, "$", "$$")
	}
	if strings.ContainsFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_.,+=:@~%$-", r))
	}) {
		return `"` + p + `"`
	}
	return p
}

// unitWriter builds unit text.
type unitWriter struct{ b strings.Builder }

func (u *unitWriter) section(name string) {
	if u.b.Len() > 0 {
		u.b.WriteByte('\n')
	}
	fmt.Fprintf(&u.b, "[%s]\n", name)
}

func (u *unitWriter) set(key, value string) { fmt.Fprintf(&u.b, "%s=%s\n", key, value) }

func (u *unitWriter) comment(text string) { u.line("# " + text) }

func (u *unitWriter) line(text string) { fmt.Fprintf(&u.b, "%s\n", text) }

func (u *unitWriter) String() string { return u.b.String() }
