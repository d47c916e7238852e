package supervisor

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat: USER_HZ, which
// the kernel fixes at 100 for user space on every architecture, whatever
// its internal tick rate (sysconf(_SC_CLK_TCK) answers 100; Go has no
// sysconf without cgo).
const clockTicks = 100

// usage measures the child's tree: its cgroup when it has one (see
// cgroup.usage), else the live members of its process group (see
// groupUsage).
func (t *tree) usage() (Usage, error) {
	if t.cg != nil {
		return t.cg.usage()
	}
	return groupUsage(t.p.Pid)
}

// groupUsage sums /proc/PID/stat (CPU) and statm (memory) over the live
// members of process group pgid (the child's pid, see sysProcAttr): the
// same processes a stop reaches. Finding them takes a read of every
// process's stat file; a process that ends meanwhile is skipped. A member
// that left the group (setsid) is not counted, as it is not killed.
func groupUsage(pgid int) (Usage, error) {
	dir, err := os.Open("/proc")
	if err != nil {
		return Usage{}, fmt.Errorf("process tree usage: %w", err)
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return Usage{}, fmt.Errorf("process tree usage: read /proc: %w", err)
	}
	var u Usage
	var ticks int64
	page := int64(os.Getpagesize())
	for _, name := range names {
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		st, ok := readStat(name)
		if !ok || st.pgrp != pgid {
			continue
		}
		u.Processes++
		ticks += st.ticks
		u.RSS += residentPages(name, st.rssPages) * page
	}
	u.CPU = time.Duration(ticks) * time.Second / clockTicks
	return u, nil
}

// usage measures the cgroup's processes, every process of the tree
// wherever it went (setsid included): their number from cgroup.procs,
// the CPU time of every process the cgroup has held, ended ones included,
// from cpu.stat's usage_usec (there whether or not the cpu controller is
// enabled), and the memory. With the memory controller enabled for the
// cgroup, the memory is memory.current less memory.stat's inactive_file:
// memory.current also counts the page cache of the files the tree read
// and wrote, which grows until the kernel needs it back, and its inactive
// part is what the kernel reclaims first (docker stats and the kubelet's
// working set count the same). Without it (cgroup v1 or hybrid systems,
// where the memory controller is not on the v2 hierarchy) the memory is
// the resident sizes of the cgroup's processes, summed, as for a process
// group.
func (c *cgroup) usage() (Usage, error) {
	procs, err := os.ReadFile(filepath.Join(c.dir, "cgroup.procs"))
	if err != nil {
		return Usage{}, fmt.Errorf("process tree usage: %w", err)
	}
	pids := strings.Fields(string(procs))
	stat, err := os.ReadFile(filepath.Join(c.dir, "cpu.stat"))
	if err != nil {
		return Usage{}, fmt.Errorf("process tree usage: %w", err)
	}
	usec, ok := statValue(stat, "usage_usec")
	if !ok {
		return Usage{}, fmt.Errorf("process tree usage: no usage_usec in %s", filepath.Join(c.dir, "cpu.stat"))
	}
	u := Usage{Processes: len(pids), CPU: time.Duration(usec) * time.Microsecond}
	if mem, ok := cgroupMemory(c.dir); ok {
		u.RSS = mem
		return u, nil
	}
	page := int64(os.Getpagesize())
	for _, pid := range pids {
		u.RSS += residentPages(pid, 0) * page
	}
	return u, nil
}

// cgroupMemory returns memory.current less memory.stat's inactive_file
// (see cgroup.usage), and false when the cgroup has no memory controller.
func cgroupMemory(dir string) (int64, bool) {
	cur, err := os.ReadFile(filepath.Join(dir, "memory.current"))
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(cur)), 10, 64)
	if err != nil {
		return 0, false
	}
	stat, err := os.ReadFile(filepath.Join(dir, "memory.stat"))
	if err != nil {
		return n, true
	}
	inactive, _ := statValue(stat, "inactive_file")
	return max(0, n-inactive), true
}

// statValue returns the value of key in a cgroup's flat-keyed file
// ("key value" lines: cpu.stat, memory.stat).
func statValue(b []byte, key string) (int64, bool) {
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && k == key {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// residentPages reads the resident size from /proc/<pid>/statm, which
// recent kernels sum exactly, where stat's rss field is a quick estimate
// of per-CPU counters (off by dozens of pages for a small process); the
// estimate stands in when statm cannot be read.
func residentPages(pid string, estimate int64) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/statm")
	if err != nil {
		return estimate
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return estimate
	}
	n, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return estimate
	}
	return n
}

// procStat holds the fields of /proc/PID/stat that usage needs.
type procStat struct {
	pgrp     int
	ticks    int64 // utime + stime + cutime + cstime
	rssPages int64
}

// readStat reads /proc/<pid>/stat. The command name (field 2) is in
// parentheses and may itself hold spaces and parentheses, so the fields
// are counted from the last ')'.
func readStat(pid string) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	// f[0] is field 3 (state): field n is f[n-3].
	f := bytes.Fields(b[i+1:])
	if len(f) < 22 {
		return procStat{}, false
	}
	num := func(n int) int64 {
		v, _ := strconv.ParseInt(string(f[n-3]), 10, 64)
		return v
	}
	return procStat{
		pgrp:     int(num(5)),
		ticks:    num(14) + num(15) + num(16) + num(17),
		rssPages: num(24),
	}, true
}
