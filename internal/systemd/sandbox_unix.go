//go:build unix

package systemd

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// sandboxSwitch is one switch of service.sandbox: its YAML name and the
// directives it writes when on (the default).
type sandboxSwitch struct {
	name       string
	directives []string
}

// sandboxSwitches are service.sandbox's switches in the unit's order.
// docs/linux-service.md#sandbox says what each forbids and which programs
// need it off. None of them hinders the wrapper itself: it signals and
// waits for its own child's process group, reads /proc entries of its own
// user's processes, writes only under ReadWritePaths=, and uses no system
// call outside @system-service (checked with strace over a run with a
// health check, hooks, rotation, reload and a stop).
var sandboxSwitches = []sandboxSwitch{
	{"private_tmp", []string{"PrivateTmp=yes"}},
	{"private_devices", []string{"PrivateDevices=yes"}},
	{"protect_kernel_tunables", []string{"ProtectKernelTunables=yes"}},
	{"protect_kernel_modules", []string{"ProtectKernelModules=yes"}},
	{"protect_kernel_logs", []string{"ProtectKernelLogs=yes"}},
	// Read-only /sys/fs/cgroup, delegated subtree included (systemd 252):
	// cgroup containment of the child needs this switch off.
	{"protect_control_groups", []string{"ProtectControlGroups=yes"}},
	{"protect_clock", []string{"ProtectClock=yes"}},
	{"protect_hostname", []string{"ProtectHostname=yes"}},
	{"protect_proc", []string{"ProtectProc=invisible"}},
	{"restrict_suid_sgid", []string{"RestrictSUIDSGID=yes"}},
	// Also makes clone3() fail with ENOSYS (systemd cannot filter its
	// flags), so glibc and Go fall back to clone(); CLONE_INTO_CGROUP,
	// which only clone3 has, is then unavailable.
	{"restrict_namespaces", []string{"RestrictNamespaces=yes"}},
	{"restrict_realtime", []string{"RestrictRealtime=yes"}},
	// AF_NETLINK stays: getifaddrs(3) and Go's net.Interfaces use it.
	{"restrict_address_families", []string{"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK"}},
	{"lock_personality", []string{"LockPersonality=yes"}},
	{"system_call_architectures", []string{"SystemCallArchitectures=native"}},
	// EPERM rather than the default SIGSYS: a program that probes for a
	// system call outside the set gets an error it can handle instead of
	// dying.
	{"system_call_filter", []string{"SystemCallFilter=@system-service", "SystemCallErrorNumber=EPERM"}},
}

// SandboxSwitches returns the names of service.sandbox's switches, in the
// unit's order; config has the same list.
func SandboxSwitches() []string {
	names := make([]string, len(sandboxSwitches))
	for i, s := range sandboxSwitches {
		names[i] = s.name
	}
	return names
}

// defaultUMask is UMask= when the YAML gives none.
const defaultUMask = "0027"

// unitSandbox writes the least-privilege settings: a read-only system
// except the log and working directories, no privilege gain, the switches
// of service.sandbox, and capabilities only when the YAML asks.
func unitSandbox(u *unitWriter, spec Unit, paths []namedPath) error {
	for _, off := range spec.SandboxOff {
		if !slices.ContainsFunc(sandboxSwitches, func(s sandboxSwitch) bool { return s.name == off }) {
			return fmt.Errorf("service.sandbox: unknown switch %q", off)
		}
	}
	u.comment("Sandbox. The YAML's service.sandbox turns settings off one by one (docs/linux-service.md).")
	u.set("NoNewPrivileges", "yes")
	u.set("ProtectSystem", "strict")
	if underHome(paths) {
		u.comment("Paths under /home, /root or /run/user: ProtectHome=read-only keeps them readable,")
		u.comment("ReadWritePaths= below keeps the log and working directories writable.")
	}
	u.set("ProtectHome", "read-only")
	for _, s := range sandboxSwitches {
		if !slices.Contains(spec.SandboxOff, s.name) {
			for _, d := range s.directives {
				u.line(d)
			}
		}
	}
	if slices.Contains(spec.SandboxOff, "protect_control_groups") && slices.Contains(spec.SandboxOff, "restrict_namespaces") {
		// With both off the wrapper can hold each child in a cgroup of its
		// own below the unit's, which systemd must hand over to it; with
		// either on it holds the tree as a child subreaper, and systemd's
		// stop of the unit takes what is left in its cgroup.
		u.comment("The cgroup of the unit is the wrapper's: each child gets a cgroup of its own below it.")
		u.set("Delegate", "yes")
	}
	for _, dir := range writableDirs(spec) {
		u.set("ReadWritePaths", quotePath(dir))
	}
	switch caps := spec.Capabilities; {
	case len(caps) > 0:
		u.set("AmbientCapabilities", strings.Join(caps, " "))
		u.set("CapabilityBoundingSet", strings.Join(caps, " "))
	case isRoot(spec.User):
		u.comment("root keeps its capabilities: service.capabilities lists the only ones it may use.")
	default:
		u.set("CapabilityBoundingSet", "")
	}
	umask := spec.UMask
	if umask == "" {
		umask = defaultUMask
	}
	u.set("UMask", umask)
	return nil
}

// isRoot reports whether User= names the superuser.
func isRoot(user string) bool { return user == "root" || user == "0" }

// systemdPath is the PATH systemd gives system services (systemd.exec(5),
// "Environment variables in spawned processes").
var systemdPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// Warnings lists what install should say about a unit it can write but
// that may not do what the YAML means. lookPath finds a program as the
// installing shell's PATH does.
func (spec Unit) Warnings(lookPath func(string) (string, error)) []string {
	var w []string
	if spec.User == "nobody" || spec.User == "65534" {
		w = append(w, "service.user: nobody is shared by every service and NFS client that maps to it: "+
			"they can all read and change what this service owns. Create an account of its own "+
			"(useradd --system --no-create-home --shell /usr/sbin/nologin NAME)")
	}
	if !slices.Contains(spec.SandboxOff, "private_tmp") {
		for _, p := range spec.paths() {
			if filepath.IsAbs(p.path) && (within(p.path, "/tmp") || within(p.path, "/var/tmp")) {
				w = append(w, fmt.Sprintf("%s: %s is under /tmp, but the service gets a private /tmp (PrivateTmp=yes) "+
					"where it is missing: move it, or set service.sandbox.private_tmp: false", p.what, p.path))
			}
		}
	}
	if exe := spec.Executable; exe != "" && !filepath.IsAbs(exe) {
		w = append(w, bareExecutable(exe, lookPath))
	}
	if slices.Contains(spec.SandboxOff, "private_devices") && !slices.Contains(spec.SandboxOff, "protect_clock") {
		w = append(w, "service.sandbox.private_devices: false, but protect_clock is on: before systemd 253, "+
			"ProtectClock= closes every device but /dev/rtc (it implies DeviceAllow=char-rtc r); "+
			"set protect_clock: false as well if the program needs a device")
	}
	return w
}

// bareExecutable is the warning for an executable given by name: the
// service looks it up on systemd's PATH, not on the installing shell's.
func bareExecutable(exe string, lookPath func(string) (string, error)) string {
	msg := fmt.Sprintf("executable: %q is looked up when the service starts, on systemd's PATH (%s), not on yours",
		exe, strings.Join(systemdPath, ":"))
	found, err := lookPath(exe)
	switch {
	case err != nil:
		return msg + ": write its path"
	case !slices.Contains(systemdPath, filepath.Dir(found)):
		return msg + fmt.Sprintf(": yours finds %s, which systemd will not find: write that path", found)
	}
	return msg + fmt.Sprintf(": yours finds %s; write that path to be sure the service runs the same program", found)
}
