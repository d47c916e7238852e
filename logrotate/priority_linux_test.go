package logrotate

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// threadSched returns the nice value and the scheduling policy of thread
// tid of this process, from /proc: fields 19 and 41 of stat, counted from
// 1 before the command name in parentheses.
func threadSched(tid int) (nice int, policy uint32, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/stat", tid))
	if err != nil {
		return 0, 0, err
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if nice, err = strconv.Atoi(fields[16]); err != nil { // fields[0] is stat's field 3
		return 0, 0, err
	}
	p, err := strconv.ParseUint(fields[38], 10, 32)
	return nice, uint32(p), err
}

// TestBackgroundRunsAtIdlePriorityOnAThrowawayThread: the compression
// runs on a thread with the SCHED_IDLE policy and nice 19 while the
// caller's thread keeps its own; afterwards that thread is gone and no
// thread of the process is left at either (a pump scheduled there would
// run at idle priority).
func TestBackgroundRunsAtIdlePriorityOnAThrowawayThread(t *testing.T) {
	callerNice, callerPolicy, err := threadSched(unix.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	var tid, nice int
	var policy uint32
	err = background(func() error {
		tid = unix.Gettid()
		var err error
		nice, policy, err = threadSched(tid)
		return err
	}, &lowered{})
	if err != nil {
		t.Fatal(err)
	}
	if nice != lowestNice || policy != unix.SCHED_IDLE {
		t.Errorf("compressing thread: nice %d, policy %d; want %d, SCHED_IDLE (%d)", nice, policy, lowestNice, unix.SCHED_IDLE)
	}
	if n, p, err := threadSched(unix.Gettid()); err != nil || n != callerNice || p != callerPolicy {
		t.Errorf("caller's thread: nice %d, policy %d (%v); want %d, %d", n, p, err, callerNice, callerPolicy)
	}
	waitFor(t, "the compressing thread to end", func() bool {
		_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
		return os.IsNotExist(err)
	})
	tasks, err := filepath.Glob("/proc/self/task/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		id, _ := strconv.Atoi(filepath.Base(task))
		if n, p, err := threadSched(id); err == nil && (n == lowestNice || p == unix.SCHED_IDLE) {
			t.Errorf("thread %d is left at nice %d, policy %d", id, n, p)
		}
	}
}

// TestHurryRaisesTheLoweredThread: finish's hurry, called from another
// thread while the compression runs, gives the compressing thread the
// normal policy and the process's nice value back. Leaving SCHED_IDLE
// needs CAP_SYS_NICE (root has it unless a container dropped it) or an
// RLIMIT_NICE that allows it; without, the kernel refuses and the thread
// stays low.
func TestHurryRaisesTheLoweredThread(t *testing.T) {
	if !mayLeaveIdle() {
		t.Skip("this process may not leave SCHED_IDLE: no CAP_SYS_NICE, RLIMIT_NICE too low")
	}
	mainNice, _, err := threadSched(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var l lowered
	running, hurried := make(chan struct{}), make(chan struct{})
	var before, after uint32
	var nice int
	go func() {
		<-running
		l.hurry()
		close(hurried)
	}()
	err = background(func() error {
		var err error
		if _, before, err = threadSched(unix.Gettid()); err != nil {
			return err
		}
		close(running)
		<-hurried
		nice, after, err = threadSched(unix.Gettid())
		return err
	}, &l)
	if err != nil {
		t.Fatal(err)
	}
	if before != unix.SCHED_IDLE || after != unix.SCHED_NORMAL || nice != mainNice {
		t.Errorf("policy %d, then %d at nice %d; want SCHED_IDLE (%d), then SCHED_NORMAL (%d) at %d",
			before, after, nice, unix.SCHED_IDLE, unix.SCHED_NORMAL, mainNice)
	}
	if l.held {
		t.Error("the thread is still held after its work")
	}
}

// TestHurryBeforeHoldRaisesAtOnce: a thread held after hurry (the
// compression started just as finish was called) is raised as it is held.
func TestHurryBeforeHoldRaisesAtOnce(t *testing.T) {
	if !mayLeaveIdle() {
		t.Skip("this process may not leave SCHED_IDLE: no CAP_SYS_NICE, RLIMIT_NICE too low")
	}
	var l lowered
	l.hurry()
	var policy uint32
	err := background(func() error {
		var err error
		_, policy, err = threadSched(unix.Gettid())
		return err
	}, &l)
	if err != nil {
		t.Fatal(err)
	}
	if policy != unix.SCHED_NORMAL {
		t.Errorf("policy %d, want SCHED_NORMAL (%d)", policy, unix.SCHED_NORMAL)
	}
}

// mayLeaveIdle reports whether this process may take a thread out of
// SCHED_IDLE: with CAP_SYS_NICE, or an RLIMIT_NICE high enough for nice 0.
// It tries on a thread of its own, locked and never unlocked, so that the
// thread exits with its goroutine and none is left at idle priority.
func mayLeaveIdle() bool {
	ok := make(chan bool)
	go func() {
		runtime.LockOSThread()
		lowerThreadPriority()
		ok <- unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_NORMAL}, 0) == nil
	}()
	return <-ok
}
