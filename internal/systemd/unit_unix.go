//go:build unix

// Package systemd writes and manages the systemd unit that runs a wrapper,
// talks sd_notify to the service manager and resolves the service's
// account. It takes plain values (Unit, Manager), never a configuration.
// It builds on every Unix so that `wrapper install` can say "no service
// manager" where systemd is absent; only Linux has systemd.
package systemd

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// UnitMarker starts every unit `wrapper install` writes: install replaces
// and uninstall deletes only a file that starts with it, never a unit
// written by hand or by a package.
const UnitMarker = "# Written by `wrapper install`"

// StopSlack is added to stop.timeout for TimeoutStopSec=. Within it the
// wrapper's own stop ladder must end: the stop signal, stop.timeout, SIGKILL
// to the child's group, the bounded wait for the child's last output (5 s)
// and the wrapper's exit. Only then does systemd's SIGKILL (KillMode=mixed)
// end whatever is left. window_timeout is not added: WM_CLOSE is Windows'.
const StopSlack = 10 * time.Second

// MaxStopTimeout is the longest stop budget a unit takes: TimeoutStopSec=
// is the budget plus StopSlack, which must fit in a time.Duration (292
// years). systemd's own limit for a time span, 2^64 microseconds less a
// second (584,542 years), lies beyond it.
const MaxStopTimeout = time.Duration(math.MaxInt64) - StopSlack

// Unit is what a unit file is made from: the service's YAML, resolved.
// Error messages name the YAML keys the fields come from.
type Unit struct {
	Name        string // name: the unit is <Name>.service
	DisplayName string // display_name
	Description string // description
	Wrapper     string // the wrapper executable, absolute
	Config      string // the YAML file, absolute
	Executable  string // executable: absolute, or a bare name found on PATH
	WorkingDir  string // working_directory, absolute
	LogDir      string // log.dir, absolute
	EnvFile     string // env_file, absolute; "" when none
	User        string // service.user: required ("root" must be said)
	Group       string // service.group; "" for the user's primary group
	// Capabilities are service.capabilities (CAP_… names).
	Capabilities []string
	// Dependencies are service.dependencies: unit names, ".service" implied.
	Dependencies []string
	// Disabled is service.start_mode: disabled (RefuseManualStart=yes).
	Disabled bool
	// SandboxOff lists the service.sandbox switches set to false
	// (SandboxSwitches names): the unit leaves their directives out.
	SandboxOff []string
	// UMask is service.sandbox.umask, octal; "" writes 0027.
	UMask string
	// StopTimeout is the wrapper's stop budget: stop.timeout plus the
	// timeouts of the pre_stop and post_stop hooks, which run within a
	// stop. TimeoutStopSec= adds StopSlack; at most MaxStopTimeout.
	StopTimeout time.Duration
	// Recovery is service.recovery: systemd restarts a wrapper that died
	// after Recovery[0]; empty means never.
	Recovery []time.Duration
	// RuntimeDirectory, when set, is made by systemd for the unit's account
	// (mode 0700, removed at stop), relative to /run: the wrapper's control
	// endpoint lives there, out of the reach of other accounts.
	RuntimeDirectory string
	// NoRestartCodes are exit codes of the wrapper that are its own
	// decisions, not crashes: systemd never restarts after them.
	NoRestartCodes []int
}

// UnitName is the systemd unit of service name.
func UnitName(name string) string { return name + ".service" }

// Render returns the unit file. It depends on nothing but u, so golden
// files pin it down; every value is escaped for the unit syntax, and a
// value that cannot be written safely is an error naming its YAML key.
func (spec Unit) Render() (string, error) {
	u := &unitWriter{}
	desc, err := unitDescription(spec)
	if err != nil {
		return "", err
	}
	deps, err := unitDependencies(spec.Dependencies)
	if err != nil {
		return "", err
	}
	if err := checkAccount(spec.User, spec.Group); err != nil {
		return "", err
	}
	if spec.StopTimeout < 0 || spec.StopTimeout > MaxStopTimeout {
		return "", fmt.Errorf("stop.timeout: too long: with the pre_stop and post_stop hooks' timeouts and %v to spare, "+
			"TimeoutStopSec= would exceed %v (292 years)", StopSlack, MaxStopTimeout+StopSlack)
	}
	paths := spec.paths()
	for _, p := range paths {
		if err := checkUnitPath(p); err != nil {
			return "", err
		}
	}
	u.line(UnitMarker + " from " + spec.Config + ".")
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
	if spec.Disabled {
		u.comment("service.start_mode: disabled: not enabled, and `systemctl start` is refused.")
		u.set("RefuseManualStart", "yes")
	}
	unitService(u, spec)
	if err := unitSandbox(u, spec, paths); err != nil {
		return "", err
	}
	u.section("Install")
	u.set("WantedBy", "multi-user.target")
	return u.String(), nil
}

// paths are the paths the unit names, with their YAML keys.
func (spec Unit) paths() []namedPath {
	return []namedPath{
		{what: "the wrapper executable", path: spec.Wrapper, command: true}, {what: "the configuration file", path: spec.Config},
		{what: "executable", path: spec.Executable}, {what: "working_directory", path: spec.WorkingDir, dir: true},
		{what: "log.dir", path: spec.LogDir, dir: true}, {what: "env_file", path: spec.EnvFile},
	}
}

// unitService writes how systemd runs, restarts and stops the wrapper.
func unitService(u *unitWriter, spec Unit) {
	u.section("Service")
	u.comment("The wrapper reports READY=1 once the child runs (and is healthy, with a health check).")
	u.set("Type", "notify")
	u.set("NotifyAccess", "main")
	u.set("ExecStart", quoteExec(spec.Wrapper, false)+" run --config "+quoteExec(spec.Config, true))
	u.set("ExecReload", "/bin/kill -HUP $MAINPID")
	u.set("SyslogIdentifier", spec.Name)
	u.set("User", spec.User)
	if spec.Group != "" {
		u.set("Group", spec.Group)
	}
	if len(spec.Recovery) == 0 {
		u.comment("service.recovery: []: systemd does not restart the wrapper; the wrapper restarts the child.")
		u.set("Restart", "no")
	} else {
		u.comment("The wrapper restarts the child; systemd restarts only a wrapper that fails. The exit codes")
		u.comment("of RestartPreventExitStatus= are the wrapper's own decisions (invalid configuration, a")
		u.comment("restart policy that forbids a restart), not failures.")
		codes := make([]string, len(spec.NoRestartCodes))
		for i, c := range spec.NoRestartCodes {
			codes[i] = fmt.Sprint(c)
		}
		u.set("Restart", "on-failure")
		u.set("RestartSec", systemdSpan(spec.Recovery[0]))
		u.set("RestartPreventExitStatus", strings.Join(codes, " "))
	}
	u.comment("SIGTERM to the wrapper alone, which stops the child in order; SIGKILL to what is left after")
	u.comment("TimeoutStopSec (stop.timeout + the pre_stop and post_stop hooks' timeouts + " + StopSlack.String() + ").")
	if spec.RuntimeDirectory != "" {
		u.comment("The control endpoint's directory: only the service's account can write it.")
		u.set("RuntimeDirectory", escapeSpecifiers(spec.RuntimeDirectory))
		u.set("RuntimeDirectoryMode", "0700")
	}
	u.set("KillMode", "mixed")
	u.set("TimeoutStopSec", systemdSpan(spec.StopTimeout+StopSlack))
}

// unitDescription is display_name and description joined, whichever the
// YAML sets, else the name.
func unitDescription(spec Unit) (string, error) {
	var parts []string
	if spec.DisplayName != "" && spec.DisplayName != spec.Name {
		parts = append(parts, spec.DisplayName)
	}
	if spec.Description != "" {
		parts = append(parts, spec.Description)
	}
	if len(parts) == 0 {
		parts = append(parts, spec.Name)
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
func checkAccount(user, group string) error {
	if user == "" {
		return errors.New("service.user: not set. On Linux the service runs as the account you name; " +
			"create one (useradd --system --no-create-home --shell /usr/sbin/nologin NAME) and set service.user: NAME, " +
			"or set service.user: root to run it as root")
	}
	if !validAccount(user) {
		return fmt.Errorf("service.user: %q is not a valid user name", user)
	}
	if group != "" && !validAccount(group) {
		return fmt.Errorf("service.group: %q is not a valid group name", group)
	}
	return nil
}

// systemdSpan writes d as a systemd time span: whole seconds when exact,
// else milliseconds.
func systemdSpan(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", (d+time.Millisecond-1)/time.Millisecond)
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
