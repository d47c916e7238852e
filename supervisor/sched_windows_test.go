package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"github.com/wrapper-dev/wrapper/internal/winpriv"
)

func init() {
	if !underWine() { // where TestWinSchedTree runs
		testHelpers = append(testHelpers, "sched")
	}
	fakechild.Register("sched", schedHelper)
}

// schedHelper prints "<who> class=0x… affinity=0x…": its own priority
// class and CPU mask. With "child" it then runs itself as "grandchild",
// which prints the same of itself, and sleeps.
func schedHelper(args []string) int {
	who := "grandchild"
	if len(args) > 0 {
		who = args[0]
	}
	class, err := windows.GetPriorityClass(windows.CurrentProcess())
	var proc, system uintptr
	if err == nil {
		if r, _, e := procGetProcessAffinityMask.Call(uintptr(windows.CurrentProcess()),
			uintptr(unsafe.Pointer(&proc)), uintptr(unsafe.Pointer(&system))); r == 0 {
			err = e
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sched:", err)
		return 2
	}
	fmt.Printf("%s class=%#x affinity=%#x\n", who, class, proc)
	if who != "child" {
		return 0
	}
	path, argv, env, err := fakechild.Spec("sched")
	if err != nil {
		return 2
	}
	cmd := exec.Command(path, argv...) // no priority flag: what it gets is inherited or the job's
	cmd.Env, cmd.Stdout, cmd.Stderr = env, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "sched: grandchild:", err)
		return 2
	}
	return sleepForever()
}

// sleepForever blocks until the process is killed.
func sleepForever() int {
	for {
		time.Sleep(time.Hour)
	}
}

// TestWinSchedTree: the child and its grandchild, which starts without a
// priority flag of its own, run at the priority class and on the CPU the
// options name. Above-normal does not pass to a child by CreateProcess's
// own rules (only idle and below-normal do): the grandchild has it from
// the Job Object's limit.
func TestWinSchedTree(t *testing.T) {
	if underWine() {
		t.Skip("Wine applies neither a Job Object's priority class nor its affinity (docs/windows-testing.md); TestWinJobSched checks the limits given")
	}
	for _, p := range []Priority{PriorityIdle, PriorityBelowNormal, PriorityAboveNormal} {
		t.Run(string(p), func(t *testing.T) {
			r := newReal(t, "sched", []string{"child"}, func(o *Options) {
				o.Priority, o.Affinity = p, []int{0}
			})
			stop := r.background(t)
			want := fmt.Sprintf("class=%#x affinity=0x1", priorityClasses[p])
			for _, who := range []string{"child", "grandchild"} {
				l := r.out.waitLine(t, func(l string) bool { return strings.HasPrefix(l, who+" ") })
				if l != who+" "+want {
					t.Errorf("%q, want %q", l, who+" "+want)
				}
			}
			if err := stop(); err != nil {
				t.Fatalf("Run = %v", err)
			}
		})
	}
}

// TestWinSchedRefused: what Windows cannot do is refused at New: CPUs
// beyond the first 64, and an account.
func TestWinSchedRefused(t *testing.T) {
	for _, o := range []Options{
		{Path: "p", Affinity: []int{64}},
		{Path: "p", Account: &Account{UID: 1}},
	} {
		if _, err := New(o); !errors.Is(err, ErrCannotApply) {
			t.Errorf("New(%+v) = %v, want ErrCannotApply", o, err)
		}
	}
}

// TestWinJobSched: the limits the child's Job Object gets for each
// priority and affinity, as the kernel takes them (JOBOBJECT_BASIC_LIMIT_
// INFORMATION), and a job made with them; CPUs the wrapper may not use are
// left out.
func TestWinJobSched(t *testing.T) {
	cpus, err := processCPUs()
	if err != nil || len(cpus) == 0 {
		t.Fatalf("processCPUs = %v, %v", cpus, err)
	}
	first := cpus[0]
	for _, tt := range []struct {
		o        Options
		flags    uint32
		class    uint32
		affinity uintptr
		warning  string
	}{
		{Options{}, 0, 0, 0, ""},
		{Options{Priority: PriorityIdle}, windows.JOB_OBJECT_LIMIT_PRIORITY_CLASS, windows.IDLE_PRIORITY_CLASS, 0, ""},
		{Options{Priority: PriorityBelowNormal}, windows.JOB_OBJECT_LIMIT_PRIORITY_CLASS, windows.BELOW_NORMAL_PRIORITY_CLASS, 0, ""},
		{Options{Priority: PriorityNormal}, windows.JOB_OBJECT_LIMIT_PRIORITY_CLASS, windows.NORMAL_PRIORITY_CLASS, 0, ""},
		{Options{Priority: PriorityAboveNormal}, windows.JOB_OBJECT_LIMIT_PRIORITY_CLASS, windows.ABOVE_NORMAL_PRIORITY_CLASS, 0, ""},
		{Options{Priority: PriorityHigh}, windows.JOB_OBJECT_LIMIT_PRIORITY_CLASS, windows.HIGH_PRIORITY_CLASS, 0, ""},
		{Options{Affinity: []int{first}}, windows.JOB_OBJECT_LIMIT_AFFINITY, 0, 1 << first, ""},
		{Options{Priority: PriorityIdle, Affinity: []int{first, 63}},
			windows.JOB_OBJECT_LIMIT_PRIORITY_CLASS | windows.JOB_OBJECT_LIMIT_AFFINITY, windows.IDLE_PRIORITY_CLASS, 1 << first,
			"affinity: CPUs 63 are not available to the wrapper here"},
	} {
		j, warning, err := schedOf(tt.o)
		if err != nil || !strings.HasPrefix(warning, tt.warning) || (tt.warning == "") != (warning == "") {
			t.Errorf("schedOf(%+v) = %v, %q; want warning %q", tt.o, err, warning, tt.warning)
		}
		var b windows.JOBOBJECT_BASIC_LIMIT_INFORMATION
		j.limit(&b)
		if b.LimitFlags != tt.flags || b.PriorityClass != tt.class || b.Affinity != tt.affinity {
			t.Errorf("%+v: limits %#x class %#x affinity %#x; want %#x, %#x, %#x", tt.o,
				b.LimitFlags, b.PriorityClass, b.Affinity, tt.flags, tt.class, tt.affinity)
		}
		if tt.o.Priority == PriorityHigh {
			// As checkSched does: the tests run as an administrator.
			_ = winpriv.Enable("SeIncreaseBasePriorityPrivilege")
		}
		job, err := newJob(j)
		if err != nil {
			t.Errorf("%+v: %v", tt.o, err)
			continue
		}
		windows.CloseHandle(job)
	}
}
