package supervisor

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Priority is the scheduling priority of the child's whole process tree:
// on Windows a priority class, on Linux the nice value each constant
// names. The child starts with it, and its descendants inherit it.
type Priority string

// The priorities.
const (
	// PriorityInherit (the default, empty) leaves the wrapper's own.
	PriorityInherit Priority = ""
	// PriorityIdle is IDLE_PRIORITY_CLASS; nice 19, the lowest: the tree
	// runs when nothing else wants the CPU.
	PriorityIdle Priority = "idle"
	// PriorityBelowNormal is BELOW_NORMAL_PRIORITY_CLASS; nice 10, what
	// nice(1) gives by default.
	PriorityBelowNormal Priority = "below-normal"
	// PriorityNormal is NORMAL_PRIORITY_CLASS; nice 0.
	PriorityNormal Priority = "normal"
	// PriorityAboveNormal is ABOVE_NORMAL_PRIORITY_CLASS; nice -5.
	PriorityAboveNormal Priority = "above-normal"
	// PriorityHigh is HIGH_PRIORITY_CLASS; nice -10, which leaves -11 to
	// -20 to what the system itself must keep ahead of services. Windows'
	// realtime class has no counterpart: it can starve the system.
	PriorityHigh Priority = "high"
)

// priorities lists the priorities, lowest first.
var priorities = []Priority{PriorityIdle, PriorityBelowNormal, PriorityNormal, PriorityAboveNormal, PriorityHigh}

// Account is the Unix account the child runs as: the supervisor starts it
// with these ids (setgroups, setgid, setuid before the program runs), which
// needs a supervisor running as root. Hooks and command probes keep the
// wrapper's account and environment.
type Account struct {
	// UID and GID are the child's user and primary group.
	UID, GID uint32
	// Groups are the child's supplementary groups. nil or empty: none.
	Groups []uint32
	// Env are KEY=value entries added to the child's environment after
	// Options.Env, so that they win over its entries: HOME, USER and
	// LOGNAME of the account, say. nil: none.
	Env []string
}

// ErrCannotApply is wrapped by the error of New and Update when an option
// is valid but this system or the wrapper's account cannot apply it: a
// priority the wrapper may not raise the child to, affinity CPUs none of
// which the wrapper may use, a feature the platform lacks. Starting again
// would not help.
var ErrCannotApply = errors.New("cannot be applied here")

// normalizeSched checks Priority, Affinity and Account as values, and
// copies Affinity (ascending, each CPU once) and Account.
func normalizeSched(o *Options) []error {
	var errs []error
	if o.Priority != PriorityInherit && !slices.Contains(priorities, o.Priority) {
		errs = append(errs, fmt.Errorf("priority %q: want one of %q", o.Priority, priorities))
	}
	o.Affinity = slices.Clone(o.Affinity)
	slices.Sort(o.Affinity)
	o.Affinity = slices.Compact(o.Affinity)
	if len(o.Affinity) > 0 && o.Affinity[0] < 0 {
		errs = append(errs, fmt.Errorf("affinity: CPU %d is negative", o.Affinity[0]))
	}
	if a := o.Account; a != nil {
		o.Account = &Account{UID: a.UID, GID: a.GID, Groups: slices.Clone(a.Groups), Env: slices.Clone(a.Env)}
	}
	return errs
}

// cannotApply returns an error wrapping ErrCannotApply with the message.
func cannotApply(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCannotApply, fmt.Sprintf(format, args...))
}

// cpuList writes CPUs, ascending, as a list with ranges ("0-3,8"), as
// Linux's Cpus_allowed_list and taskset -c do.
func cpuList(cpus []int) string {
	var b strings.Builder
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(cpus[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return b.String()
}

// splitCPUs returns the CPUs of want that are in have, and those that are
// not, both ascending (want and have ascending).
func splitCPUs(want, have []int) (in, out []int) {
	for _, c := range want {
		if _, found := slices.BinarySearch(have, c); found {
			in = append(in, c)
		} else {
			out = append(out, c)
		}
	}
	return in, out
}

// usableCPUs is the decision for Options.Affinity on this host: the CPUs
// of want that the wrapper may use (have), or an error when there are
// none. warning, when not empty, names the CPUs left out.
func usableCPUs(want, have []int) (cpus []int, warning string, err error) {
	in, out := splitCPUs(want, have)
	if len(in) == 0 {
		return nil, "", cannotApply("affinity %s: none of these CPUs is available to the wrapper here (it may use %s)",
			cpuList(want), cpuList(have))
	}
	if len(out) > 0 {
		warning = fmt.Sprintf("affinity: CPUs %s are not available to the wrapper here and are left out (it may use %s)",
			cpuList(out), cpuList(have))
	}
	return in, warning, nil
}

// checkHost checks, for New and Update, that this host can apply o's
// priority, affinity and account (see checkSched), and logs what it
// leaves out.
func checkHost(o Options) error {
	warning, err := checkSched(o)
	if warning != "" {
		o.Logger.Warn("affinity: CPUs left out", "detail", warning)
	}
	if err != nil {
		return fmt.Errorf("supervisor options: %w", err)
	}
	return nil
}

// sameSched reports whether a and b start the child with the same
// priority, affinity and account; Update restarts the child otherwise.
func sameSched(a, b Options) bool {
	if a.Priority != b.Priority || !slices.Equal(a.Affinity, b.Affinity) || (a.Account == nil) != (b.Account == nil) {
		return false
	}
	if a.Account == nil {
		return true
	}
	x, y := a.Account, b.Account
	return x.UID == y.UID && x.GID == y.GID && slices.Equal(x.Groups, y.Groups) && slices.Equal(x.Env, y.Env)
}

// schedAttrs describe, in the "child started" log line, the priority,
// affinity and account the child was given; none when it has the
// wrapper's.
func schedAttrs(o Options) []any {
	var attrs []any
	if o.Priority != PriorityInherit {
		attrs = append(attrs, "priority", string(o.Priority))
	}
	if len(o.Affinity) > 0 {
		attrs = append(attrs, "affinity", cpuList(o.Affinity))
	}
	if a := o.Account; a != nil {
		attrs = append(attrs, "uid", a.UID, "gid", a.GID)
	}
	return attrs
}
