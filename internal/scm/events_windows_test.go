package scm

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/windows/svc/eventlog"
)

// TestEventLogReport writes one entry with several insertion strings
// through a registered source, as the service does. Wine keeps nothing
// (with WINEDEBUG=+eventlog it prints each string on stderr), so this
// proves the call itself: the source, the pointer array, the types.
func TestEventLogReport(t *testing.T) {
	name := fmt.Sprintf("wraptest%d", os.Getpid())
	if err := eventlog.InstallAsEventCreate(name, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		t.Skipf("cannot register an Event Log source (not an administrator?): %v", err)
	}
	t.Cleanup(func() { _ = eventlog.Remove(name) })
	w, closeLog := OpenEventLog(name)
	defer closeLog()
	if _, ok := w.(discardEvents); ok {
		t.Fatal("OpenEventLog fell back to discarding")
	}
	for kind, strs := range map[EventType][]string{
		EventInfo:    {"child exited service=x code=1", "service=x", "code=1"},
		EventWarning: {"only one"},
		EventError:   {"with a NUL\x00 in it", "k=v"},
	} {
		if err := w.Report(kind, 301, strs); err != nil {
			t.Errorf("Report(%d, %q): %v", kind, strs, err)
		}
	}
}
