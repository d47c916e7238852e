package supervisor

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// niceValues are the Linux nice values of the priorities (see Priority).
var niceValues = map[Priority]int{
	PriorityIdle: 19, PriorityBelowNormal: 10, PriorityNormal: 0, PriorityAboveNormal: -5, PriorityHigh: -10,
}

// checkSched reports what keeps this host from applying o's priority and
// affinity, as errors wrapping ErrCannotApply, and the affinity CPUs it
// would leave out, as a warning. New and Update call it, so that a
// configuration the wrapper cannot carry out fails at once rather than at
// every start.
func checkSched(o Options) (warning string, err error) {
	var errs []error
	if o.Priority != PriorityInherit {
		want := niceValues[o.Priority]
		cur, err := threadNice()
		if err == nil && !mayNice(cur, want, hasCapSysNice(), rlimitNice()) {
			err = cannotApply("priority %s (nice %d): the wrapper runs at nice %d and may not raise the priority "+
				"of what it starts: that needs root or CAP_SYS_NICE", o.Priority, want, cur)
		}
		errs = append(errs, err)
	}
	if len(o.Affinity) > 0 {
		var have unix.CPUSet
		err := unix.SchedGetaffinity(0, &have)
		if err == nil {
			_, warning, err = usableCPUs(o.Affinity, setCPUs(&have))
		}
		errs = append(errs, err)
	}
	return warning, errors.Join(errs...)
}

// mayNice is the kernel's rule for a thread that sets its own nice value
// (set_one_prio and can_nice in kernel/sys.c): raising it (a lower
// priority) is always allowed; lowering it to want needs CAP_SYS_NICE or
// an RLIMIT_NICE soft limit of at least 20-want.
func mayNice(cur, want int, capSysNice bool, rlimNice uint64) bool {
	return want >= cur || capSysNice || uint64(20-want) <= rlimNice
}

// threadNice returns the calling thread's nice value: getpriority(2)'s
// system call returns 20-nice, which the C library would turn back.
func threadNice() (int, error) {
	p, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		return 0, fmt.Errorf("read the wrapper's nice value: %w", err)
	}
	return 20 - p, nil
}

// hasCapSysNice reports whether CAP_SYS_NICE is in the wrapper's effective
// capabilities (root's, unless a bounding set took it away).
func hasCapSysNice() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[unix.CAP_SYS_NICE/32].Effective&(1<<(unix.CAP_SYS_NICE%32)) != 0
}

// rlimitNice returns the soft RLIMIT_NICE, 0 when unknown.
func rlimitNice() uint64 {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NICE, &r); err != nil {
		return 0
	}
	return r.Cur
}

// setCPUs lists the CPUs in a set, ascending.
func setCPUs(s *unix.CPUSet) []int {
	var cpus []int
	for c := range len(s) * 64 {
		if s.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus
}

// threadSched gives the calling thread, which must be locked to its
// goroutine, o's nice value and CPUs, so that the child it forks next
// starts with them: the kernel copies both from the forking thread, and
// every descendant inherits them in turn. Setting them on the child after
// its start would leave out what it started meanwhile, and os/exec has no
// hook between fork and exec. restore gives the thread the wrapper's own
// back and reports whether it could: lowering a nice value needs the
// privileges raising a priority does, so a wrapper without them cannot.
// The caller must then leave the thread locked when its goroutine ends,
// and the runtime ends the thread rather than run other goroutines on it
// at the child's priority. restore is never nil; with neither set it does
// nothing.
func threadSched(o Options) (restore func() bool, err error) {
	restore = func() bool { return true }
	if o.Priority == PriorityInherit && len(o.Affinity) == 0 {
		return restore, nil
	}
	tid := unix.Gettid()
	nice, err := threadNice()
	var cpus unix.CPUSet
	if err == nil {
		err = unix.SchedGetaffinity(0, &cpus)
	}
	if err != nil {
		return restore, fmt.Errorf("read the wrapper's scheduling: %w", err)
	}
	restore = func() bool {
		return unix.SchedSetaffinity(0, &cpus) == nil && unix.Setpriority(unix.PRIO_PROCESS, tid, nice) == nil
	}
	if o.Priority != PriorityInherit {
		n := niceValues[o.Priority]
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, n); err != nil {
			return restore, fmt.Errorf("priority %s (nice %d): %w", o.Priority, n, err)
		}
	}
	if len(o.Affinity) > 0 {
		use, _, err := usableCPUs(o.Affinity, setCPUs(&cpus))
		if err != nil {
			return restore, err
		}
		var set unix.CPUSet
		for _, c := range use {
			set.Set(c)
		}
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			return restore, fmt.Errorf("affinity %s: %w", cpuList(use), err)
		}
	}
	return restore, nil
}
