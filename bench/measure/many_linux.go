//go:build linux

package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cmdMany starts n copies of a command, each the leader of its own process
// group, waits until every copy's child tree is up (the file gen tree
// writes), lets start-up work settle (-after), and samples every
// process of every tree over the period: the cost of n services on one
// host, with or without a wrapper each.
//
// Memory is reported as RSS and as PSS: RSS counts a page shared by n
// processes (the text of the one binary they all run, the C library of the
// shells) n times, PSS a 1/n share in each, so the PSS of a set of processes
// sums to the memory the set occupies.
func cmdMany(args []string) error {
	fs := flag.NewFlagSet("many", flag.ContinueOnError)
	n := fs.Int("n", 50, "copies")
	d := fs.Duration("for", 30*time.Second, "measuring period")
	pattern := fs.String("pids", "", "file each copy's gen tree writes; {} is the copy's number")
	after := fs.Duration("after", time.Second, "wait after all are up before the first sample")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pattern == "" || !strings.Contains(*pattern, "{}") {
		return fmt.Errorf("-pids needs a pattern with {}")
	}
	base := fs.Args()
	if len(base) > 0 && base[0] == "--" {
		base = base[1:]
	}
	if len(base) == 0 {
		return fmt.Errorf("missing command")
	}
	// Numbers as seq -w writes them: as wide as n.
	number := func(i int) string { return fmt.Sprintf("%0*d", len(strconv.Itoa(*n)), i) }
	cmds := make([]*exec.Cmd, 0, *n)
	defer func() { stopAll(cmds) }()
	for i := 1; i <= *n; i++ {
		num := number(i)
		argv := make([]string, len(base))
		for j, a := range base {
			argv[j] = strings.ReplaceAll(a, "{}", num)
		}
		file := strings.ReplaceAll(*pattern, "{}", num)
		_ = os.Remove(file)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			return err
		}
		cmds = append(cmds, cmd)
	}
	for i := 1; i <= *n; i++ {
		if _, _, err := treePids(strings.ReplaceAll(*pattern, "{}", number(i))); err != nil {
			return err
		}
	}
	time.Sleep(*after) // start-up work (GC, log opening, the wrapper's settle) is not idling
	a := sampleTrees(cmds)
	time.Sleep(*d)
	b := sampleTrees(cmds)
	var cpu, sw int
	for pid, s := range b.procs {
		if p, ok := a.procs[pid]; ok {
			cpu += s.cpuTicks - p.cpuTicks
			sw += s.total() - p.total()
		}
	}
	fmt.Printf("procs=%d rss_kb=%d pss_kb=%d pss_anon_kb=%d top_rss_kb=%d top_pss_kb=%d cpu_ms=%d wakeups_per_s=%.2f\n",
		len(b.procs), b.rss, b.pss, b.pssAnon, b.topRSS, b.topPSS, cpu*1000/clockTicks, float64(sw)/d.Seconds())
	return nil
}

// trees is one sample of the processes of all copies.
type trees struct {
	procs             map[int]sample
	rss, pss, pssAnon int // kB, all processes
	topRSS, topPSS    int // kB, the started processes alone
}

// sampleTrees samples every started process and its descendants.
func sampleTrees(cmds []*exec.Cmd) trees {
	t := trees{procs: map[int]sample{}}
	for _, c := range cmds {
		for i, pid := range descendants(c.Process.Pid) {
			s, err := take(pid)
			if err != nil {
				continue // exited meanwhile
			}
			pss, anon := smapsRollup(pid)
			t.procs[pid] = s
			t.rss += s.rssKB
			t.pss += pss
			t.pssAnon += anon
			if i == 0 {
				t.topRSS += s.rssKB
				t.topPSS += pss
			}
		}
	}
	return t
}

// descendants returns pid and every process below it, pid first.
func descendants(pid int) []int {
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		kids, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", out[i]))
		for _, k := range kids {
			b, _ := os.ReadFile(k)
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// smapsRollup returns the Pss and Pss_Anon of pid in kB.
func smapsRollup(pid int) (pss, anon int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, 0
	}
	return statusField(b, "Pss"), statusField(b, "Pss_Anon")
}

// stopAll sends SIGTERM to every started process, waits for it, and kills
// what is left of its process group.
func stopAll(cmds []*exec.Cmd) {
	for _, c := range cmds {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	for _, c := range cmds {
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}
