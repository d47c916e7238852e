package supervisor

import (
	"fmt"
	"os"
)

// Containment says how the supervisor holds a child's whole process tree
// on Linux, including the processes that left the child's process group
// (a grandchild that called setsid, a daemon that forked twice). Whatever
// the mode, the stop signal goes to the child's process group only; what
// is left of the tree when the child has exited, by itself or at a stop,
// is killed with it. Windows always holds the tree in a Job Object and
// other Unix systems in the process group alone; both ignore Containment.
type Containment string

// The containment modes.
const (
	// ContainAuto (the default, empty) uses ContainCgroup where the
	// wrapper may create cgroups, else ContainSubreaper.
	ContainAuto Containment = ""
	// ContainCgroup starts each child (and each hook and command probe)
	// in a cgroup v2 of its own below the wrapper's cgroup, and kills the
	// tree by writing cgroup.kill: nothing in the tree can leave it
	// without privileges. It needs Linux 5.14 or later, a cgroup v2
	// hierarchy (unified or hybrid) whose wrapper cgroup is writable, and,
	// when that cgroup is a systemd unit's, the unit's Delegate=yes.
	// With ContainCgroup asked for and not available, Run fails at once.
	ContainCgroup Containment = "cgroup"
	// ContainSubreaper makes the wrapper process a child subreaper
	// (PR_SET_CHILD_SUBREAPER) while Run runs, so that processes orphaned
	// in the tree become the wrapper's children instead of init's: the
	// wrapper reaps those that exit, and kills those still running,
	// with their descendants, when the supervised child's tree is killed.
	// All the wrapper's orphans are taken to belong to the supervised
	// child, so run one Supervisor per process in this mode.
	ContainSubreaper Containment = "subreaper"
)

// validContainment reports the problem with c, or nil.
func validContainment(c Containment) error {
	switch c {
	case ContainAuto, ContainCgroup, ContainSubreaper:
		return nil
	}
	return fmt.Errorf("containment %q: want %q, %q or empty (automatic)", c, ContainCgroup, ContainSubreaper)
}

// held is what one Run holds in the wrapper process while it runs (see
// holdTrees): the containment of the children's trees and, when the
// wrapper is PID 1, the signals to forward to the child.
type held struct {
	// forward delivers the signals to forward to the running child; nil
	// when none are.
	forward <-chan os.Signal
	// release gives up what was held.
	release func()
}
