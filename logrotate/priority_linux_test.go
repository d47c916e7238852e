package logrotate

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// threadNice returns the nice value of thread tid of this process, from
// /proc (field 19 of stat, after the command name in parentheses).
func threadNice(tid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/stat", tid))
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return strconv.Atoi(fields[16]) // fields[0] is stat's field 3
}

// TestBackgroundRunsAtLowestPriorityOnAThrowawayThread: the compression
// runs on a thread of nice 19 while the caller's thread keeps its own;
// afterwards that thread is gone and no thread of the process is left at
// nice 19 (a pump scheduled there would run at low priority).
func TestBackgroundRunsAtLowestPriorityOnAThrowawayThread(t *testing.T) {
	callerNice, err := threadNice(unix.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	var tid, nice int
	err = background(func() error {
		tid = unix.Gettid()
		var err error
		nice, err = threadNice(tid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if nice != lowestNice {
		t.Errorf("compressing thread's nice = %d, want %d", nice, lowestNice)
	}
	if n, err := threadNice(unix.Gettid()); err != nil || n != callerNice {
		t.Errorf("caller's thread nice = %d (%v), want %d", n, err, callerNice)
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
		if n, err := threadNice(id); err == nil && n == lowestNice {
			t.Errorf("thread %d is left at nice %d", id, n)
		}
	}
}
