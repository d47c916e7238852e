package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
)

// The reaper closes the gap the parent-death signal leaves: Pdeathsig takes
// the child when the wrapper dies, even by SIGKILL, but not the child's own
// children, which live on in its process group. Without cgroups, something
// that outlives the wrapper has to kill that group, and it must learn of the
// wrapper's death without polling.
//
// So, per child start, the wrapper starts a watchdog: a shell in a session
// of its own whose standard input is the read end of a pipe. The write end
// is held by the wrapper alone (os.Pipe sets O_CLOEXEC, so neither the
// child nor any later process inherits it). Nothing is ever written: when
// the wrapper dies, by whatever means, the kernel closes the write end, the
// shell's read returns at end of file, and the shell kills the group. When
// the child exits normally, the supervisor kills its tree itself and then
// SIGKILLs the watchdog (a shell killed by a signal runs nothing more)
// before it closes the write end, so a watchdog never kills a process group
// id that may since have been reused. (Only a wrapper killed in the
// microseconds between reaping the child and killing the watchdog leaves a
// watchdog that signals the group id after it was freed.)
//
// Why this script:
//   - read and kill are dash/POSIX builtins: the watchdog is one small
//     process (under 2 MB resident), blocked in read(2), never waking up.
//   - read returns, with status 1, at end of file without a newline (checked
//     in dash, bash and busybox); ';' rather than '&&' runs kill whatever the
//     status.
//   - `kill -KILL -PGID`, not the usual `kill -KILL -- -PGID`: dash's kill
//     stops parsing options after -KILL, takes "--" for a pid and fails
//     ("Illegal number"), killing nothing; `kill -s KILL -- -PGID` works in
//     dash and bash but busybox rejects the "--" (it still kills). The form
//     used here works silently in dash, bash and busybox (checked on real
//     process groups).
//   - The pgid is an argument ($1), never spliced into the script.
//   - Setsid: the watchdog is in no process group of the wrapper's, so a
//     terminal's Ctrl-C or a kill of the wrapper's group does not take it
//     (which would disarm it); a watchdog killed by a signal does nothing.
//   - Its working directory is / so that it keeps no directory busy, and its
//     environment is empty.
//
// When the tree has a cgroup (see Containment), a watchdog kills the
// cgroup instead (one watchdog for all of a Run's cgroups: watchdog_linux.go), which holds the processes that left the group too, and
// whose path, unlike a process group id, names nothing else once the tree
// is gone. echo is a builtin in dash, bash and busybox, and the kernel
// takes "1" with or without the newline (both checked on real cgroups).
// The empty cgroup stays behind; the next wrapper removes it (removeStale).
// Without a cgroup (ContainSubreaper), the processes that left the group
// are the wrapper's orphans; when the wrapper dies they go to init, and
// nothing here can find them: the service manager's own cgroup (systemd's
// unit) or the end of the container is what takes them then.
const (
	reaperScript       = `read _ ; kill -KILL -"$1"`
	reaperCgroupScript = `read _ ; echo 1 > "$1/cgroup.kill"`
)

// reaperShell is the shell that runs reaperScript; tests change it.
var reaperShell = "/bin/sh"

// reaperUnavailable records that a watchdog could not be started because
// the shell is missing, so that the warning is given once per process.
var reaperUnavailable atomic.Bool

// reaper is the watchdog of one child's process group.
type reaper struct {
	cmd     *exec.Cmd
	w       *os.File      // the pipe's write end: held by this process only
	stopped chan struct{} // closed once stop has reaped the watchdog
}

// startReaper starts the watchdog of process group pgid, or of cgroup cg
// when not nil. When it cannot, it returns nil and an error that should be
// reported; a missing shell is reported only the first time (nil, nil
// afterwards).
func startReaper(pgid int, cg *cgroup) (*reaper, error) {
	if cg != nil {
		return startWatchdog(reaperCgroupScript, cg.dir)
	}
	r, err := startWatchdog(reaperScript, strconv.Itoa(pgid))
	if err != nil && !errors.Is(err, errNoShell) {
		err = fmt.Errorf("process-tree reaper for group %d: %w", pgid, err)
	}
	return r, err
}

// errNoShell marks the first report of a missing shell.
var errNoShell = errors.New("process-tree reaper unavailable, grandchildren may outlive a killed wrapper")

// startWatchdog starts a shell running script with arg as $1 and the read
// end of a pipe as its standard input (see above).
func startWatchdog(script, arg string) (*reaper, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("process-tree reaper: create pipe: %w", err)
	}
	cmd := exec.Command(reaperShell, "-c", script, "sh", arg)
	cmd.Stdin = r // dup2 to fd 0 clears close-on-exec for the watchdog only
	cmd.Dir = "/"
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = startRegistered(cmd)
	_ = r.Close() // the watchdog has its copy; ours would keep EOF away after our death
	if err != nil {
		_ = w.Close()
		if errors.Is(err, os.ErrNotExist) {
			if reaperUnavailable.Swap(true) {
				return nil, nil
			}
			return nil, fmt.Errorf("%w: %w", errNoShell, err)
		}
		return nil, err
	}
	return &reaper{cmd: cmd, w: w, stopped: make(chan struct{})}, nil
}

// stop disarms the watchdog: it SIGKILLs it at once, then, in the
// background so that the next child's start does not wait, reaps it and
// closes the write end. It must be called after the group was killed, once
// the child was reaped. A nil reaper does nothing.
func (r *reaper) stop() {
	if r == nil {
		return
	}
	// The order matters: closing the write end before the watchdog is dead
	// would make it kill the group id, which may be reused once the group
	// is empty. A watchdog already gone (killed by someone) is fine.
	_ = r.cmd.Process.Kill()
	go func() {
		_ = r.cmd.Wait()
		unregister(r.cmd.Process.Pid)
		_ = r.w.Close()
		close(r.stopped)
	}()
}
