package config

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Service start modes accepted by service.start_mode.
const (
	StartAuto        = "auto"         // start at boot
	StartDelayedAuto = "delayed-auto" // start shortly after boot (Windows delayed auto-start)
	StartManual      = "manual"       // start on demand only
	StartDisabled    = "disabled"     // cannot be started
)

// startModes are the values service.start_mode accepts, in the order
// messages and the schema list them.
var startModes = []string{StartAuto, StartDelayedAuto, StartManual, StartDisabled}

// Service SID types accepted by service.sid_type (Windows).
const (
	SIDNone         = "none"         // the token holds no service SID
	SIDUnrestricted = "unrestricted" // NT SERVICE\<name> is in the token
	SIDRestricted   = "restricted"   // also a write-restricted token: writes need a grant to the service SID
)

// sidTypes are the values service.sid_type accepts.
var sidTypes = []string{SIDNone, SIDUnrestricted, SIDRestricted}

// defaultRecoveryReset is the default of service.recovery_reset.
const defaultRecoveryReset = 24 * time.Hour

// Service holds the settings used when installing the wrapper as a service.
type Service struct {
	// StartMode is StartAuto, StartDelayedAuto, StartManual or
	// StartDisabled. Default: StartAuto.
	StartMode string
	// Dependencies are services that must start first.
	// Default: none (empty, non-nil).
	Dependencies []string
	// Account is the account the service runs as; "" means the platform
	// default (NT SERVICE\<name> on Windows). Default: "".
	Account string
	// PasswordEnv names an environment variable that holds the account's
	// password at install time. Passwords never live in the YAML.
	// Default: "".
	PasswordEnv string
	// Recovery are the service manager's actions after the wrapper itself
	// fails, one per consecutive failure; the last one repeats. Run and
	// reboot actions are refused but on Windows. Default: restarts after
	// 10s, 1m and 5m.
	Recovery []RecoveryAction
	// RecoveryReset is how long without failures resets the service
	// manager's failure count. Default: 24h.
	RecoveryReset time.Duration
	// SIDType is the Windows service SID type: SIDNone, SIDUnrestricted
	// or SIDRestricted. Default: SIDUnrestricted.
	SIDType string
	// Privileges are the only Windows privileges the service's token keeps
	// (SeChangeNotifyPrivilege always stays), spelled as Windows does and
	// without repeats. Default: none (empty, non-nil): the account's own.
	Privileges []string
	// User is the systemd User= of the Linux unit. Default: "", which
	// `wrapper install` on Linux refuses: running as root must be asked
	// for by writing root.
	User string
	// Group is the systemd Group= of the Linux unit. Default: "" (the
	// user's primary group).
	Group string
	// Capabilities are the Linux capabilities (capabilities(7)) the systemd
	// unit grants the wrapper and its child as ambient capabilities and
	// limits its bounding set to, upper case with the CAP_ prefix
	// (CAP_NET_BIND_SERVICE), without repeats. Default: none (empty,
	// non-nil): no capability is granted and the bounding set is left alone.
	Capabilities []string
	// Sandbox holds the Linux unit's hardening switches (service.sandbox).
	Sandbox Sandbox
}

// SandboxSwitches are the keys of service.sandbox that each turn one
// systemd hardening directive of the Linux unit on or off
// (docs/linux-service.md#sandbox). Every one is true by default. The unit
// writer (internal/systemd) keeps the same list with the directives; a
// test in wrapper keeps the two in step.
var SandboxSwitches = []string{
	"private_tmp", "private_devices", "protect_kernel_tunables", "protect_kernel_modules",
	"protect_kernel_logs", "protect_control_groups", "protect_clock", "protect_hostname",
	"protect_proc", "restrict_suid_sgid", "restrict_namespaces", "restrict_realtime",
	"restrict_address_families", "lock_personality", "system_call_architectures", "system_call_filter",
}

// defaultUMask is the default of service.sandbox.umask: what the program
// creates is not readable by other users (the wrapper's own logs and
// status file have modes of their own).
const defaultUMask = "0027"

// Sandbox is service.sandbox: how far the Linux unit confines the wrapper
// and its child. Windows ignores it.
type Sandbox struct {
	// Off lists the switches set to false, in SandboxSwitches order: the
	// unit leaves their directives out. Default: none (empty, non-nil).
	Off []string
	// UMask is the unit's UMask=, four octal digits. Default: "0027".
	UMask string
}

// rawService is the service section as written.
type rawService struct {
	startMode                         val[string]
	dependencies                      val[[]val[string]]
	account, passwordEnv, user, group val[string]
	recovery                          val[[]*rawRecovery]
	recoveryReset                     val[time.Duration]
	sidType                           val[string]
	privileges, capabilities          val[[]val[string]]
	sandbox                           rawSandbox
}

// rawSandbox is service.sandbox as written: one value per SandboxSwitches
// entry, and umask.
type rawSandbox struct {
	switches []val[bool]
	umask    val[string]
}

// serviceField is the service section's entry in the field table.
func serviceField(r *rawService) field {
	return field{name: "service", sub: []field{
		{name: "start_mode", decode: enum(&r.startMode, startModes, nil)},
		{name: "dependencies", decode: strList(&r.dependencies)},
		{name: "account", decode: str(&r.account)},
		{name: "password_env", decode: str(&r.passwordEnv)},
		{name: "recovery", decode: recoveryList(&r.recovery)},
		{name: "recovery_reset", decode: duration(&r.recoveryReset)},
		{name: "sid_type", decode: enum(&r.sidType, sidTypes, nil)},
		{name: "privileges", decode: strList(&r.privileges)},
		{name: "user", decode: str(&r.user)},
		{name: "group", decode: str(&r.group)},
		{name: "capabilities", decode: strList(&r.capabilities)},
		sandboxField(&r.sandbox),
	}}
}

// sandboxField is service.sandbox's entry in the field table: a boolean
// per switch, and umask.
func sandboxField(r *rawSandbox) field {
	if r.switches == nil {
		r.switches = make([]val[bool], len(SandboxSwitches))
	}
	sub := make([]field, 0, len(SandboxSwitches)+1)
	for i, name := range SandboxSwitches {
		sub = append(sub, field{name: name, decode: boolean(&r.switches[i])})
	}
	return field{name: "sandbox", sub: append(sub, field{name: "umask", decode: str(&r.umask)})}
}

// service applies defaults to the service section and checks its values.
func (rs *resolver) service(r *rawService) Service {
	out := Service{
		StartMode:     or(r.startMode, StartAuto),
		Dependencies:  []string{},
		RecoveryReset: or(r.recoveryReset, defaultRecoveryReset),
		SIDType:       or(r.sidType, SIDUnrestricted),
	}
	for i, d := range r.dependencies.v {
		key := fmt.Sprintf("service.dependencies[%d]", i)
		if d.v == "" {
			rs.ps.add(d.line, key, "must not be empty")
		} else if rs.singleLine(d, key, 256) {
			out.Dependencies = append(out.Dependencies, d.v)
		}
	}
	out.Recovery = rs.recovery(r.recovery)
	if s, ok := rs.expand(r.account, "service.account"); ok && rs.singleLine(val[string]{v: s, line: r.account.line}, "service.account", 256) {
		out.Account = s
	}
	if r.passwordEnv.set && r.passwordEnv.v != "" {
		if err := checkEnvName(r.passwordEnv.v); err != nil {
			rs.ps.add(r.passwordEnv.line, "service.password_env", "%v", err)
		}
		out.PasswordEnv = r.passwordEnv.v
	}
	out.User = rs.token(r.user, "service.user")
	out.Group = rs.token(r.group, "service.group")
	out.Privileges = rs.privileges(r.privileges.v)
	out.Capabilities = rs.capabilities(r.capabilities.v)
	out.Sandbox = rs.sandbox(&r.sandbox)
	return out
}

// umaskRule is a umask as systemd's UMask= takes it, in octal: three
// digits, or four starting with 0 (the set-id and sticky bits are not
// part of a umask).
var umaskRule = regexp.MustCompile(`^0?[0-7]{3}$`)

// sandbox resolves service.sandbox: the switches written false, and the
// umask as four digits.
func (rs *resolver) sandbox(r *rawSandbox) Sandbox {
	out := Sandbox{Off: []string{}, UMask: defaultUMask}
	for i, v := range r.switches {
		if v.set && !v.v {
			out.Off = append(out.Off, SandboxSwitches[i])
		}
	}
	if r.umask.set {
		if umaskRule.MatchString(r.umask.v) {
			out.UMask = fmt.Sprintf("%04s", r.umask.v)
		} else {
			rs.ps.add(r.umask.line, "service.sandbox.umask", "%q is not a umask: write three or four octal digits, e.g. \"0027\"", r.umask.v)
		}
	}
	return out
}

// token checks a user or group name: no white space or control characters,
// as it becomes a systemd User=/Group= value.
func (rs *resolver) token(v val[string], key string) string {
	if strings.IndexFunc(v.v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		rs.ps.add(v.line, key, "must not contain spaces or control characters")
		return ""
	}
	return v.v
}

// linuxCapabilities are the capability names of capabilities(7), in kernel
// order (CAP_CHOWN is 0, CAP_CHECKPOINT_RESTORE is 40, Linux 5.9). The list
// is fixed here rather than read from the running kernel because the
// configuration is checked wherever it is validated, also on Windows.
var linuxCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// normCapability accepts CAP_NET_BIND_SERVICE, cap_net_bind_service and
// net_bind_service alike, as stop.signal accepts TERM and sigterm.
func normCapability(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "CAP_") {
		s = "CAP_" + s
	}
	return s
}

// capabilities checks service.capabilities: known names, no repeats.
func (rs *resolver) capabilities(list []val[string]) []string {
	out := []string{}
	for i, c := range list {
		key := fmt.Sprintf("service.capabilities[%d]", i)
		name := normCapability(c.v)
		switch {
		case strings.TrimSpace(c.v) == "":
			rs.ps.add(c.line, key, "must not be empty")
		case !slices.Contains(linuxCapabilities, name):
			rs.ps.add(c.line, key, "unknown capability %q%s", c.v, closestCapability(name))
		case slices.Contains(out, name):
			rs.ps.add(c.line, key, "%s is listed twice", name)
		default:
			out = append(out, name)
		}
	}
	return out
}

// closestCapability suggests a capability a typo was meant to be, or points
// at the manual page.
func closestCapability(name string) string {
	best, bestDist := "", 3 // at most two edits, as for keys
	for _, c := range linuxCapabilities {
		if d := distance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return " (see capabilities(7), e.g. CAP_NET_BIND_SERVICE)"
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// ServiceFiles lists the files an installed service reads or runs, which
// `wrapper install` requires other accounts not to be able to change: the
// YAML, the env_file, the stdin file (input to a REPL-like program is
// code), the program, and the programs of the health check, the hooks, the
// stop steps and the recovery's run action (the SCM runs it as the
// service's account). A program given by bare name is listed as the PATH
// of this process finds it, and left out when it no longer does.
func (c *Config) ServiceFiles() []string {
	files := []string{c.File}
	if c.EnvFile != "" {
		files = append(files, c.EnvFile)
	}
	if c.Stdin.File != "" {
		files = append(files, c.Stdin.File)
	}
	programs := []string{c.Executable}
	for _, argv := range append([][]string{c.Health.Command, c.Hooks.PreStart.Command, c.Hooks.PostStart.Command,
		c.Hooks.PreStop.Command, c.Hooks.PostStop.Command, c.Hooks.OnGiveUp.Command, c.Service.recoveryCommand()},
		c.Stop.commands()...) {
		if len(argv) > 0 {
			programs = append(programs, argv[0])
		}
	}
	for _, p := range programs {
		if !filepath.IsAbs(p) {
			found, err := exec.LookPath(p)
			if err != nil {
				continue
			}
			p = found
		}
		files = append(files, p)
	}
	return files
}
