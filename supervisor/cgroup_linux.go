package supervisor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupPrefix starts the name of every cgroup the supervisor makes; the
// wrapper's pid and a sequence number follow, so that a later wrapper can
// tell the cgroups a dead one left behind (see removeStale).
const cgroupPrefix = "wrapper-child-"

// cgroupSeq numbers the cgroups made by this process.
var cgroupSeq atomic.Uint64

// cgroupParent returns the directory below which this process makes its
// children's cgroups, or why it cannot. It looks once per process: the
// answer depends on the kernel, the mounts and the wrapper's own cgroup,
// none of which the wrapper changes.
var cgroupParent = sync.OnceValues(findCgroupParent)

// findCgroupParent returns this process's own cgroup v2 directory when
// children's cgroups can be made below it.
func findCgroupParent() (string, error) {
	dir, rel, err := ownCgroup()
	if err != nil {
		return "", err
	}
	// A systemd unit's cgroup belongs to systemd unless the unit delegates
	// it (Delegate=yes), which systemd marks with this extended attribute.
	if u := path.Base(rel); (strings.HasSuffix(u, ".service") || strings.HasSuffix(u, ".scope")) && !delegated(dir) {
		return "", fmt.Errorf("cgroup %s is systemd's: the unit needs Delegate=yes", rel)
	}
	// Container seccomp profiles (Docker's default among them) make clone3
	// fail with ENOSYS so that C libraries fall back to clone; starting a
	// child right into its cgroup has no such fallback. clone3 with no
	// arguments fails with EINVAL where it exists, before doing anything.
	if _, _, errno := unix.Syscall(unix.SYS_CLONE3, 0, 0, 0); errno == unix.ENOSYS {
		return "", errors.New("clone3 is not allowed here (seccomp), so children cannot start in a cgroup")
	}
	removeStale(dir)
	probe, err := makeCgroup(dir)
	if err != nil {
		return "", err
	}
	defer probe.remove()
	// Only non-root cgroups have cgroup.kill: look in the probe.
	if _, err := os.Stat(filepath.Join(probe.dir, "cgroup.kill")); err != nil {
		return "", fmt.Errorf("no cgroup.kill (Linux 5.14 or later needed): %w", err)
	}
	return dir, nil
}

// ownCgroup returns this process's cgroup v2 directory and its path
// relative to the hierarchy's root, from /proc/self/cgroup (line "0::PATH")
// and the cgroup2 mount in /proc/self/mountinfo (unified, or hybrid as in
// /sys/fs/cgroup/unified).
func ownCgroup() (dir, rel string, err error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", "", fmt.Errorf("read own cgroup: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "0::"); ok {
			rel = p
		}
	}
	if !strings.HasPrefix(rel, "/") {
		return "", "", errors.New("not in a cgroup v2 hierarchy")
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", "", fmt.Errorf("read mounts: %w", err)
	}
	dir, ok := cgroupDir(mounts, rel)
	if !ok {
		return "", "", fmt.Errorf("no cgroup2 mount shows cgroup %s", rel)
	}
	return dir, rel, nil
}

// cgroupDir returns the directory of cgroup rel under the cgroup2 mount in
// mountinfo whose root contains it (a mount may show a subtree only).
func cgroupDir(mountinfo []byte, rel string) (string, bool) {
	best, bestRoot := "", ""
	sc := bufio.NewScanner(bytes.NewReader(mountinfo))
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f := strings.Fields(pre)
		if !ok || len(f) < 5 || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		root, point := unescapeMount(f[3]), unescapeMount(f[4])
		sub, ok := strings.CutPrefix(rel, root)
		if root == "/" {
			sub, ok = rel, true
		}
		if ok && (sub == "" || strings.HasPrefix(sub, "/")) && (best == "" || len(root) > len(bestRoot)) {
			best, bestRoot = filepath.Join(point, sub), root
		}
	}
	return best, best != ""
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// delegated reports whether systemd marked cgroup dir as delegated to its
// unit: trusted.delegate, or user.delegate (systemd 251 and later), "1".
func delegated(dir string) bool {
	buf := make([]byte, 8)
	for _, name := range []string{"trusted.delegate", "user.delegate"} {
		if n, err := unix.Getxattr(dir, name, buf); err == nil && string(buf[:n]) == "1" {
			return true
		}
	}
	return false
}

// removeStale removes the empty cgroups that wrappers no longer running
// left in parent: a wrapper killed by SIGKILL has its watchdog kill the
// cgroup's processes (see reaper_linux.go), but nothing removes the
// directory. A cgroup that still has processes is not removed (rmdir
// fails), nor one whose wrapper still runs.
func removeStale(parent string) {
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), cgroupPrefix)
		owner, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(owner)
		if !ok || err != nil || !e.IsDir() || unix.Kill(pid, 0) != unix.ESRCH {
			continue
		}
		_ = unix.Rmdir(filepath.Join(parent, e.Name()))
	}
}

// cgroup is the cgroup v2 of one child's process tree.
type cgroup struct {
	dir string
	fd  int // the open directory the child is cloned into; -1 once started
}

// makeCgroup makes a new cgroup below parent and opens it.
func makeCgroup(parent string) (*cgroup, error) {
	name := fmt.Sprintf("%s%d-%d", cgroupPrefix, os.Getpid(), cgroupSeq.Add(1))
	dir := filepath.Join(parent, name)
	if err := unix.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make cgroup %s: %w", dir, err)
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		_ = unix.Rmdir(dir)
		return nil, fmt.Errorf("open cgroup %s: %w", dir, err)
	}
	return &cgroup{dir: dir, fd: fd}, nil
}

// into makes the child of a cmd not started yet start inside the cgroup
// (clone3 with CLONE_INTO_CGROUP): it is never outside it, not even
// between its fork and its exec.
func (c *cgroup) into(a *syscall.SysProcAttr) {
	a.UseCgroupFD, a.CgroupFD = true, c.fd
}

// started closes the directory once the child has been started in it.
func (c *cgroup) started() {
	if c != nil && c.fd >= 0 {
		_ = unix.Close(c.fd)
		c.fd = -1
	}
}

// kill SIGKILLs every process in the cgroup. A nil cgroup does nothing.
func (c *cgroup) kill() error {
	if c == nil {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(c.dir, "cgroup.kill"), os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString("1")
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		return fmt.Errorf("kill cgroup %s: %w", c.dir, err)
	}
	return nil
}

// waitEmpty waits, up to limit, until no process is left in the cgroup:
// a process killed is gone only once it has run its exit. The kernel
// signals a change of cgroup.events to poll(2) as POLLPRI, so the wait is
// an event, not a poll of the file's contents; it sends at most one such
// event per 10 ms and file, so the wait may outlast the last process by
// that much. The file is read first: after a child that left nothing
// behind, there is nothing to wait for. (Not inotify: closing an inotify
// instance waits for an SRCU grace period, milliseconds at every exit.)
func (c *cgroup) waitEmpty(limit time.Duration) error {
	events := filepath.Join(c.dir, "cgroup.events")
	fd, err := unix.Open(events, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("watch cgroup %s: %w", c.dir, err)
	}
	defer unix.Close(fd)
	deadline := time.Now().Add(limit)
	buf := make([]byte, 256)
	for {
		// Reading from the start also marks this change as seen.
		n, err := unix.Pread(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("read %s: %w", events, err)
		}
		if !bytes.Contains(buf[:n], []byte("populated 1")) {
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("cgroup %s still has processes %v after its kill", c.dir, limit)
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLPRI}}
		_, _ = unix.Poll(fds, int(left.Milliseconds())+1) // EINTR: read again
	}
}

// remove removes the cgroup, which must be empty. A nil cgroup does
// nothing.
func (c *cgroup) remove() error {
	if c == nil {
		return nil
	}
	c.started()
	if err := unix.Rmdir(c.dir); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove cgroup %s: %w", c.dir, err)
	}
	return nil
}
