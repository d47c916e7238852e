//go:build linux

package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// sample is a process's counters at one moment.
type sample struct {
	rssKB    int
	cpuTicks int            // utime + stime, all threads
	switches map[string]int // context switches per thread ("tid name")
}

func (s sample) total() int {
	n := 0
	for _, v := range s.switches {
		n += v
	}
	return n
}

// statusField returns a numeric field of a /proc status file.
func statusField(b []byte, key string) int {
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return 0
}

// take samples pid. Context switches are per thread: the process's own
// status file counts only its main thread's.
func take(pid int) (sample, error) {
	dir := fmt.Sprintf("/proc/%d", pid)
	st, err := os.ReadFile(dir + "/status")
	if err != nil {
		return sample{}, err
	}
	s := sample{rssKB: statusField(st, "VmRSS"), switches: map[string]int{}}
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return sample{}, err
	}
	// Fields after the parenthesised name: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	stt, _ := strconv.Atoi(f[12])
	s.cpuTicks = ut + stt
	tasks, _ := filepath.Glob(dir + "/task/*/status")
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // the thread exited
		}
		name := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "Name:"))
		key := filepath.Base(filepath.Dir(t)) + " " + name
		s.switches[key] = statusField(b, "voluntary_ctxt_switches") + statusField(b, "nonvoluntary_ctxt_switches")
	}
	return s, nil
}

// shellChild returns the RSS of pid's first child named sh (the reaper), or 0.
func shellChild(pid int) int {
	kids, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, k := range kids {
		b, _ := os.ReadFile(k)
		for _, c := range strings.Fields(string(b)) {
			st, err := os.ReadFile("/proc/" + c + "/status")
			if err == nil && strings.HasPrefix(string(st), "Name:\tsh\n") {
				return statusField(st, "VmRSS")
			}
		}
	}
	return 0
}

// cmdIdle starts CMD, waits for its child tree (gen tree) and a settling
// second, and samples CMD's resource use over the given duration.
func cmdIdle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ContinueOnError)
	d := fs.Duration("for", 30*time.Second, "measuring period")
	file := fs.String("pids", "", "file gen tree writes (empty: none to wait for)")
	after := fs.Duration("after", time.Second, "wait after start-up before the first sample")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, err := startGroup(fs, *file)
	if err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}()
	if *file != "" {
		if _, _, err := treePids(*file); err != nil {
			return err
		}
	}
	time.Sleep(*after) // start-up work (GC, log opening, the wrapper's settle) is not idling
	pid := cmd.Process.Pid
	a, err := take(pid)
	if err != nil {
		return err
	}
	time.Sleep(*d)
	b, err := take(pid)
	if err != nil {
		return err
	}
	busiest, most := "", 0
	for k, v := range b.switches {
		if v-a.switches[k] > most {
			busiest, most = k, v-a.switches[k]
		}
	}
	fmt.Printf("rss_kb=%d cpu_ms=%d wakeups_per_s=%.2f threads=%d busiest=%q:%d reaper_rss_kb=%d\n",
		b.rssKB, (b.cpuTicks-a.cpuTicks)*1000/clockTicks, float64(b.total()-a.total())/d.Seconds(),
		len(b.switches), busiest, most, shellChild(pid))
	return nil
}
