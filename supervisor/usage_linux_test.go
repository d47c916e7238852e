package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// vmRSS reads a process's resident size from /proc/PID/status, a file
// usage does not read: an independent check of its sums.
func vmRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS for %d", pid)
	return 0
}

// TestUsageCountsTheProcessGroup: Usage sums the child and its grandchild
// (the members of its cgroup, or else of its process group), not the
// reaper, which runs in a session of its own and outside the cgroup;
// before and after the child it answers ErrNoChild.
func TestUsageCountsTheProcessGroup(t *testing.T) {
	r := newReal(t, "grandchild", nil, nil)
	if _, err := r.Usage(); !errors.Is(err, ErrNoChild) {
		t.Fatalf("before Run: %v, want ErrNoChild", err)
	}
	stop := r.background(t)
	gpid, _ := strconv.Atoi(r.out.waitLine(t, isPID))
	killLater(t, gpid)
	pid := waitPID(t, r.Supervisor)
	// Both are Go programs still settling after their start: compare
	// until two readings agree.
	var u Usage
	var want int64
	waitUntil(t, "Usage to agree with VmRSS", func() bool {
		var err error
		if u, err = r.Usage(); err != nil {
			t.Fatal(err)
		}
		want = vmRSS(t, pid) + vmRSS(t, gpid)
		return u.Processes == 2 && u.RSS == want
	})
	if u.CPU < 0 {
		t.Errorf("usage %+v", u)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Usage(); !errors.Is(err, ErrNoChild) {
		t.Errorf("after Run: %v, want ErrNoChild", err)
	}
}

// TestReadStatOddNames: a command name with spaces and parentheses does not
// shift the fields.
func TestReadStatOddNames(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "a) (b c")
	if b, err := os.ReadFile("/bin/sleep"); err != nil || os.WriteFile(exe, b, 0o755) != nil {
		t.Fatalf("copy sleep: %v", err)
	}
	cmd := exec.Command(exe, "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Until the exec is done the process has no pages of its own yet.
	waitUntil(t, "a parsed stat with pages", func() bool {
		st, ok := readStat(strconv.Itoa(cmd.Process.Pid))
		if !ok || st.pgrp != cmd.Process.Pid {
			t.Fatalf("stat of %q: %+v %v; want its own pid as group", exe, st, ok)
		}
		return st.rssPages > 0
	})
}

// TestUsageCountsTheCgroup: in a cgroup of its own the whole tree is
// measured, a grandchild in a session of its own included; with the
// process group it is not, as it is not stopped with the group either.
func TestUsageCountsTheCgroup(t *testing.T) {
	for _, mode := range containModes(t) {
		t.Run(string(mode), func(t *testing.T) {
			r := newReal(t, "grandchild", []string{"setsid"}, func(o *Options) { o.Containment = mode })
			stop := r.background(t)
			gpid, _ := strconv.Atoi(r.out.waitLine(t, isPID))
			killLater(t, gpid)
			pid := waitPID(t, r.Supervisor)
			wantProcs := map[Containment]int{ContainCgroup: 2, ContainSubreaper: 1}[mode]
			var u Usage
			var want int64
			waitUntil(t, "Usage to agree with VmRSS", func() bool {
				var err error
				if u, err = r.Usage(); err != nil {
					t.Fatal(err)
				}
				want = vmRSS(t, pid)
				if mode == ContainCgroup {
					want += vmRSS(t, gpid)
				}
				return u.Processes == wantProcs && u.RSS == want
			})
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCgroupUsageFiles: the cgroup's own accounting where it has the
// memory controller: memory.current less the inactive file cache;
// without it, the resident sizes of cgroup.procs' processes.
func TestCgroupUsageFiles(t *testing.T) {
	cmd := exec.Command("/bin/sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cgroup.procs", fmt.Sprintf("%d\n", pid))
	write("cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n")
	write("memory.current", "104857600\n")
	write("memory.stat", "anon 52428800\nfile 52428800\nactive_file 20971520\ninactive_file 31457280\n")
	cg := &cgroup{dir: dir, fd: -1}
	u, err := cg.usage()
	if want := (Usage{CPU: 1500 * time.Millisecond, RSS: 70 << 20, Processes: 1}); err != nil || u != want {
		t.Fatalf("usage %+v, %v; want %+v", u, err, want)
	}
	if err := os.Remove(filepath.Join(dir, "memory.current")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "usage to agree with VmRSS", func() bool {
		u, err = cg.usage()
		if err != nil {
			t.Fatal(err)
		}
		return u.RSS == vmRSS(t, pid) && u.CPU == 1500*time.Millisecond
	})
	if err := os.Remove(filepath.Join(dir, "cpu.stat")); err != nil {
		t.Fatal(err)
	}
	if _, err := cg.usage(); err == nil {
		t.Fatal("usage without cpu.stat did not fail")
	}
}
