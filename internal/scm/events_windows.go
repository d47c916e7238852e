package scm

import "golang.org/x/sys/windows/svc/eventlog"

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
	return l, func() { l.Close() }
}

// discardEvents drops events.
type discardEvents struct{}

func (discardEvents) Info(uint32, string) error    { return nil }
func (discardEvents) Warning(uint32, string) error { return nil }
func (discardEvents) Error(uint32, string) error   { return nil }
