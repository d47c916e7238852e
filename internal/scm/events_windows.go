package scm

import (
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/eventlog"
)

// OpenEventLog opens the Event Log source named after the service (Install
// registers it). If that fails, events are dropped: the wrapper's own log
// file still has them. Call close when done.
func OpenEventLog(name string) (w EventWriter, close func()) {
	if name == "" {
		name = "wrapper"
	}
	l, err := eventlog.Open(name)
	if err != nil {
		return discardEvents{}, func() {}
	}
	return eventLog{l}, func() { l.Close() }
}

// eventLog writes entries with every insertion string: x/sys's Info,
// Warning and Error take one.
type eventLog struct{ l *eventlog.Log }

func (e eventLog) Report(kind EventType, eid uint32, strs []string) error {
	etype := map[EventType]uint16{EventInfo: windows.EVENTLOG_INFORMATION_TYPE,
		EventWarning: windows.EVENTLOG_WARNING_TYPE, EventError: windows.EVENTLOG_ERROR_TYPE}[kind]
	ptrs := make([]*uint16, len(strs))
	for i, s := range strs {
		// A NUL would end the string early (and UTF16PtrFromString
		// refuses it): show it as U+FFFD rather than lose the entry.
		ptrs[i] = utf16Ptr(strings.ReplaceAll(s, "\x00", "\uFFFD"))
	}
	return windows.ReportEvent(e.l.Handle, etype, 0, eid, 0, uint16(len(ptrs)), 0, &ptrs[0], nil)
}

// discardEvents drops events.
type discardEvents struct{}

func (discardEvents) Report(EventType, uint32, []string) error { return nil }
