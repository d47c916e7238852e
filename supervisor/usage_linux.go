package supervisor

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat: USER_HZ, which
// the kernel fixes at 100 for user space on every architecture, whatever
// its internal tick rate (sysconf(_SC_CLK_TCK) answers 100; Go has no
// sysconf without cgo).
const clockTicks = 100

// usage sums /proc/PID/stat (CPU) and statm (memory) over the live members of the child's process
// group (whose id is the child's pid, see sysProcAttr): the same processes
// a stop reaches. Finding them takes a read of every process's stat file;
// a process that ends meanwhile is skipped. A member that left the group
// (setsid) is not counted, as it is not killed.
func (t *tree) usage() (Usage, error) {
	pgid := t.p.Pid
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
