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
// (the members of its process group), not the reaper, which runs in a
// session of its own; before and after the child it answers ErrNoChild.
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

// waitUntil polls cond until it holds, failing after waitLimit: there is no
// event for a process's memory settling.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
