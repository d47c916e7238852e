package supervisor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// One watchdog serves every cgroup that this process makes while a Run
// holds the trees (holdTrees in ContainCgroup mode), however many times the
// child restarts and however many hooks and probes run: at the wrapper's
// death it kills each cgroup whose name carries this process's prefix
// (cgroupPrefix, the pid, "-"). A watchdog per tree, as in subreaper mode,
// would fork and exec a shell on the path of every restart; a cgroup's path
// names nothing else once it is gone, so one shell that kills by name is
// as safe as many. The glob is expanded when the wrapper dies, so it finds
// the cgroups alive then. A tree started while no Run holds the trees (a
// hook run directly, a test) still gets a watchdog of its own.
const cgroupsScript = `read _ ; for d in "$1"*; do echo 1 > "$d/cgroup.kill"; done`

// cgroupWatch is the process's shared watchdog: started with the first
// tree that needs it, stopped when the last Run that holds it ends.
var cgroupWatch struct {
	mu     sync.Mutex
	users  int     // Runs holding it
	prefix string  // the cgroups' path prefix, set by the first user
	r      *reaper // nil until a tree needed it
	failed bool    // it could not start: trees get their own
}

// shareCgroupWatch makes the trees whose cgroups are made below parent use
// the shared watchdog until the returned function is called.
func shareCgroupWatch(parent string) (release func()) {
	w := &cgroupWatch
	w.mu.Lock()
	defer w.mu.Unlock()
	w.users++
	w.prefix = filepath.Join(parent, fmt.Sprintf("%s%d-", cgroupPrefix, os.Getpid()))
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.users--; w.users == 0 {
			// Every tree of the Runs has been reaped by now (Run's loop
			// finishes before it releases what it held).
			w.r.stop()
			w.r, w.failed = nil, false
		}
	}
}

// coverCgroup reports whether the shared watchdog guards cg, starting it
// when this is the first tree that needs it. When it cannot start, the
// tree's caller starts a watchdog of its own, which reports why.
func coverCgroup(cg *cgroup) bool {
	w := &cgroupWatch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.users == 0 || w.failed || !strings.HasPrefix(cg.dir, w.prefix) {
		return false
	}
	if w.r == nil {
		r, err := startWatchdog(cgroupsScript, w.prefix)
		if r == nil || err != nil {
			w.failed = true
			return false
		}
		w.r = r
	}
	return true
}
