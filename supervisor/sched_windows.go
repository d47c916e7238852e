package supervisor

import (
	"fmt"
	"math/bits"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/wrapper-dev/wrapper/internal/winpriv"
)

// priorityClasses are the Windows priority classes of the priorities.
var priorityClasses = map[Priority]uint32{
	PriorityIdle:        windows.IDLE_PRIORITY_CLASS,
	PriorityBelowNormal: windows.BELOW_NORMAL_PRIORITY_CLASS,
	PriorityNormal:      windows.NORMAL_PRIORITY_CLASS,
	PriorityAboveNormal: windows.ABOVE_NORMAL_PRIORITY_CLASS,
	PriorityHigh:        windows.HIGH_PRIORITY_CLASS,
}

// maxWindowsCPU is the highest CPU a Job Object's affinity names: the mask
// is one ULONG_PTR, the CPUs of one processor group.
const maxWindowsCPU = 63

var procGetProcessAffinityMask = kernel32.NewProc("GetProcessAffinityMask")

// jobSched is what the child's Job Object holds of Options' priority and
// affinity: limits that apply to every process in the job, present and
// future, which none of them can change. Zero fields set no limit.
type jobSched struct {
	class    uint32  // a priority class; 0 leaves the wrapper's
	affinity uintptr // a CPU mask; 0 leaves the wrapper's
}

// limit adds the limits to a job's basic limits.
func (j jobSched) limit(b *windows.JOBOBJECT_BASIC_LIMIT_INFORMATION) {
	if j.class != 0 {
		b.LimitFlags |= windows.JOB_OBJECT_LIMIT_PRIORITY_CLASS
		b.PriorityClass = j.class
	}
	if j.affinity != 0 {
		b.LimitFlags |= windows.JOB_OBJECT_LIMIT_AFFINITY
		b.Affinity = j.affinity
	}
}

// schedOf turns o's priority and affinity into the job's limits. The
// affinity keeps the CPUs the wrapper may use (a Job Object's affinity
// must be a subset of the active processors); warning names the others.
func schedOf(o Options) (j jobSched, warning string, err error) {
	j.class = priorityClasses[o.Priority]
	if len(o.Affinity) == 0 {
		return j, "", nil
	}
	if last := o.Affinity[len(o.Affinity)-1]; last > maxWindowsCPU {
		return j, "", cannotApply("affinity %s: Windows takes CPUs 0 to %d (one processor group)", cpuList(o.Affinity), maxWindowsCPU)
	}
	have, err := processCPUs()
	if err != nil {
		return j, "", err
	}
	use, warning, err := usableCPUs(o.Affinity, have)
	for _, c := range use {
		j.affinity |= 1 << c
	}
	return j, warning, err
}

// processCPUs lists the CPUs of the wrapper's own affinity mask.
func processCPUs() ([]int, error) {
	var proc, system uintptr
	if r, _, err := procGetProcessAffinityMask.Call(uintptr(windows.CurrentProcess()),
		uintptr(unsafe.Pointer(&proc)), uintptr(unsafe.Pointer(&system))); r == 0 {
		return nil, fmt.Errorf("read the wrapper's CPU affinity: %w", err)
	}
	var cpus []int
	for m := uint64(proc); m != 0; m &= m - 1 {
		cpus = append(cpus, bits.TrailingZeros64(m))
	}
	return cpus, nil
}

// checkSched reports what keeps this host from applying o's priority,
// affinity and account (New and Update call it): the platform's limits,
// and the job's limits as the kernel judges them, in a Job Object made
// and closed for the purpose. The high class is the one that needs a
// privilege, SeIncreaseBasePriorityPrivilege, which the wrapper enables
// when its token holds it.
func checkSched(o Options) (warning string, err error) {
	if o.Account != nil {
		return "", cannotApply("account: Windows runs the child as the service's account, not as another")
	}
	j, warning, err := schedOf(o)
	if err != nil || j == (jobSched{}) {
		return warning, err
	}
	if o.Priority == PriorityHigh {
		_ = winpriv.Enable("SeIncreaseBasePriorityPrivilege") // the job's limit says whether it worked
	}
	job, err := newJob(j)
	if err != nil {
		if o.Priority == PriorityHigh {
			return warning, cannotApply("priority high: %v: the high class needs SeIncreaseBasePriorityPrivilege, "+
				"which administrators and LocalSystem hold (service.privileges must keep it)", err)
		}
		return warning, cannotApply("%v", err)
	}
	windows.CloseHandle(job)
	return warning, nil
}

// threadSched does nothing: the Job Object holds the priority and the
// affinity (see jobSched).
func threadSched(Options) (restore func() bool, err error) { return func() bool { return true }, nil }
