package logrotate

import (
	"testing"

	"golang.org/x/sys/windows"
)

var getThreadPriority = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetThreadPriority")

// threadPriority returns the calling thread's priority.
func threadPriority() int32 {
	r, _, _ := getThreadPriority.Call(uintptr(windows.CurrentThread()))
	return int32(r)
}

// TestBackgroundRunsAtLowestPriority: the compression runs on a thread at
// THREAD_PRIORITY_LOWEST while the caller's thread keeps its own. (That
// the thread ends afterwards is the Go runtime's doing, checked on Linux.)
func TestBackgroundRunsAtLowestPriority(t *testing.T) {
	caller := threadPriority()
	var got int32
	if err := background(func() error { got = threadPriority(); return nil }, &lowered{}); err != nil {
		t.Fatal(err)
	}
	if got != threadPriorityLowest {
		t.Errorf("compressing thread's priority = %d, want %d", got, threadPriorityLowest)
	}
	if now := threadPriority(); now != caller {
		t.Errorf("caller's thread priority = %d, want %d", now, caller)
	}
}

// TestHurryRaisesTheLoweredThread: finish's hurry, called from another
// thread while the compression runs, sets the compressing thread back to
// THREAD_PRIORITY_NORMAL (0).
func TestHurryRaisesTheLoweredThread(t *testing.T) {
	var l lowered
	running, hurried := make(chan struct{}), make(chan struct{})
	go func() {
		<-running
		l.hurry()
		close(hurried)
	}()
	var before, after int32
	if err := background(func() error {
		before = threadPriority()
		close(running)
		<-hurried
		after = threadPriority()
		return nil
	}, &l); err != nil {
		t.Fatal(err)
	}
	if before != threadPriorityLowest || after != 0 {
		t.Errorf("priority %d, then %d; want %d, then 0", before, after, threadPriorityLowest)
	}
}
