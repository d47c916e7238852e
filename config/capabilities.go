package config

import (
	"fmt"
	"slices"
	"strings"
)

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
