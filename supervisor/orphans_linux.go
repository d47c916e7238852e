package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Orphans. A process whose parent dies is reparented to the nearest
// ancestor that is a child subreaper, or to the PID 1 of its pid namespace.
// When the wrapper is either, such orphans become its children: it must
// reap those that exit (else they stay zombies, as `wrapper run` as a
// container's PID 1 used to leave them), and in ContainSubreaper mode kill
// those still running with the supervised child's tree.
//
// Reaping must never take the exit status of a child that someone in the
// process waits for: the supervised child, a hook, a probe, a watchdog,
// or whatever else the process started with os/exec. wait4(-1) would race
// them all. So the reaper reaps by pid, only children that are owned by
// no one: not registered by the supervisor (which holds forks for reading
// from its fork to the registration, so that a reap pass, which holds it
// for writing, never sees one of its children unregistered), and not held
// by a pidfd in this process. The pidfd test covers every os/exec child
// (Go opens a pidfd at every start and closes it after reaping) on kernels
// with pidfds (5.4 and later); on older ones the registry alone protects
// the supervisor's own children.

// forks is held for reading by a start of the supervisor's (from the fork
// to the registration of the pid) and for writing by a reap pass and an
// orphan kill.
var forks sync.RWMutex

// registered are the pids of the children the supervisor started and waits
// for itself, with how many registrations each has.
var registered = struct {
	sync.Mutex
	pids map[int]int
}{pids: map[int]int{}}

// startRegistered starts cmd and registers its pid (see above).
func startRegistered(cmd *exec.Cmd) error {
	forks.RLock()
	defer forks.RUnlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	register(cmd.Process.Pid)
	return nil
}

func register(pid int) {
	registered.Lock()
	registered.pids[pid]++
	registered.Unlock()
}

// unregister forgets pid once it has been waited for.
func unregister(pid int) {
	registered.Lock()
	if registered.pids[pid]--; registered.pids[pid] <= 0 {
		delete(registered.pids, pid)
	}
	registered.Unlock()
}

// procMatches reports whether /proc shows this process's pid namespace, so
// that the pids it lists are the ones kill and wait4 take. A container
// started with unshare -p but without its own /proc shows the host's.
var procMatches = sync.OnceValue(func() bool {
	self, err := os.Readlink("/proc/self")
	return err == nil && self == strconv.Itoa(os.Getpid())
})

// unowned returns the children of this process that no one waits for: its
// orphans. The caller holds forks for writing.
func unowned() ([]int, error) {
	kids, err := children(os.Getpid())
	if err != nil || len(kids) == 0 {
		return nil, err
	}
	registered.Lock()
	var out []int
	for _, k := range kids {
		if registered.pids[k] == 0 {
			out = append(out, k)
		}
	}
	registered.Unlock()
	if len(out) == 0 {
		return nil, nil
	}
	held := pidfdHeld()
	return slices.DeleteFunc(out, func(pid int) bool { return held[pid] }), nil
}

// pidfdHeld returns the pids that this process holds a pidfd for, read from
// /proc/self/fdinfo ("Pid:" line of each pidfd).
func pidfdHeld() map[int]bool {
	held := map[int]bool{}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err != nil || l != "anon_inode:[pidfd]" {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + fd.Name())
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(info)) {
			if v, ok := strings.CutPrefix(line, "Pid:"); ok {
				if pid, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					held[pid] = true
				}
			}
		}
	}
	return held
}

// children returns the pids of pid's children, from the children files of
// its threads (CONFIG_PROC_CHILDREN), else from a scan of all processes.
// A pid that is gone has none.
func children(pid int) ([]int, error) {
	if !childrenFiles() {
		return scanChildren(pid)
	}
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list children of %d: %w", pid, err)
	}
	var out []int
	for _, t := range tasks {
		b, _ := os.ReadFile(dir + "/" + t.Name() + "/children") // a thread may have ended
		for _, f := range strings.Fields(string(b)) {
			if k, err := strconv.Atoi(f); err == nil {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// childrenFiles reports whether the kernel has /proc/PID/task/TID/children.
var childrenFiles = sync.OnceValue(func() bool {
	_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d/children", os.Getpid()))
	return err == nil
})

// scanChildren finds pid's children by the parent pid in every
// /proc/PID/stat.
func scanChildren(pid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var out []int
	for _, e := range entries {
		k, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		// The parent pid follows the state, after the parenthesised name,
		// which may hold spaces and parentheses itself.
		i := bytes.LastIndexByte(stat, ')')
		if err != nil || i < 0 {
			continue
		}
		if f := strings.Fields(string(stat[i+1:])); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, k)
		}
	}
	return out, nil
}

// reapOrphans reaps the orphans that have exited.
func reapOrphans() {
	forks.Lock()
	defer forks.Unlock()
	pids, _ := unowned()
	for _, pid := range pids {
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	}
}

// killOrphans SIGKILLs every orphan of this process and all their
// descendants, and reaps the orphans, waiting up to limit for them to die.
// Each process is killed before its children are listed: once SIGKILL is
// pending it can neither fork nor reap, so the list is complete and no pid
// in it can be freed and reused before the kill reaches it. A child whose
// parent died before the listing was reparented to this process, as is one
// whose parent dies after: the next round finds it among the orphans.
func killOrphans(limit time.Duration) {
	if !procMatches() {
		return
	}
	forks.Lock()
	defer forks.Unlock()
	deadline := time.Now().Add(limit)
	killed := map[int]bool{}
	for {
		orphans, _ := unowned()
		if len(orphans) == 0 || time.Now().After(deadline) {
			return
		}
		for _, o := range orphans {
			killDescendants(o, killed)
		}
		for _, o := range orphans {
			awaitExit(o, deadline)
		}
	}
}

// awaitExit reaps child pid once it has exited, waiting until deadline at
// most: a process in uninterruptible sleep dies only when it wakes.
// Without pidfds (before Linux 5.3) the wait has no bound.
func awaitExit(pid int, deadline time.Time) {
	var ws unix.WaitStatus
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		_, _ = unix.Wait4(pid, &ws, 0, nil)
		return
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if n, _ := unix.Poll(fds, int(time.Until(deadline).Milliseconds())+1); n > 0 {
		_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	}
}

func killDescendants(pid int, killed map[int]bool) {
	if killed[pid] {
		return
	}
	killed[pid] = true
	_ = unix.Kill(pid, unix.SIGKILL)
	kids, _ := children(pid)
	for _, k := range kids {
		killDescendants(k, killed)
	}
}

// reaping runs the reaper while at least one Run needs it.
var reaping struct {
	sync.Mutex
	users int
	stop  chan struct{}
	done  chan struct{}
}

// startReaping makes sure the reaper runs, and returns the function that
// lets it stop. The reaper reaps orphans at every SIGCHLD, and once at its
// start and at its end. Without a /proc of this pid namespace it does
// nothing: it could not tell this process's children.
func startReaping() (stop func()) {
	if !procMatches() {
		return func() {}
	}
	reaping.Lock()
	defer reaping.Unlock()
	if reaping.users++; reaping.users == 1 {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, unix.SIGCHLD)
		reaping.stop, reaping.done = make(chan struct{}), make(chan struct{})
		go reap(sigs, reaping.stop, reaping.done)
	}
	return sync.OnceFunc(func() {
		reaping.Lock()
		defer reaping.Unlock()
		if reaping.users--; reaping.users == 0 {
			close(reaping.stop)
			<-reaping.done
		}
	})
}

func reap(sigs chan os.Signal, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer signal.Stop(sigs)
	for {
		reapOrphans()
		select {
		case <-sigs:
		case <-stop:
			reapOrphans()
			return
		}
	}
}

// subreaper holds the process's child-subreaper attribute while at least
// one Run in ContainSubreaper mode needs it.
var subreaper struct {
	sync.Mutex
	users int
	was   bool // the process was a subreaper already: leave it one
}

// becomeSubreaper makes this process a child subreaper and returns the
// function that undoes it.
func becomeSubreaper() (undo func(), err error) {
	subreaper.Lock()
	defer subreaper.Unlock()
	if subreaper.users == 0 {
		var was int32 // the kernel writes a C int
		_ = unix.Prctl(unix.PR_GET_CHILD_SUBREAPER, uintptr(unsafe.Pointer(&was)), 0, 0, 0)
		subreaper.was = was != 0
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return nil, fmt.Errorf("become child subreaper: %w", err)
		}
	}
	subreaper.users++
	return sync.OnceFunc(func() {
		subreaper.Lock()
		defer subreaper.Unlock()
		if subreaper.users--; subreaper.users == 0 && !subreaper.was {
			_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
		}
	}), nil
}
