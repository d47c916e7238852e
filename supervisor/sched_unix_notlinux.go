//go:build unix && !linux

package supervisor

import "errors"

// checkSched refuses a priority and an affinity: other Unix systems have
// no way to give them to the child from its start (nice is per process
// there, and set after the start it would miss what the child started
// meanwhile), and most have no CPU affinity at all.
func checkSched(o Options) (warning string, err error) {
	var errs []error
	if o.Priority != PriorityInherit {
		errs = append(errs, cannotApply("priority: only Linux and Windows give it to the whole process tree"))
	}
	if len(o.Affinity) > 0 {
		errs = append(errs, cannotApply("affinity: only Linux and Windows give it to the whole process tree"))
	}
	return "", errors.Join(errs...)
}

// threadSched does nothing: checkSched refused what it would do.
func threadSched(Options) (restore func() bool, err error) { return func() bool { return true }, nil }
