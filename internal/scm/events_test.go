package scm

import (
	"log/slog"
	"slices"
	"testing"
)

// recordedEvents is an eventWriter that remembers what it was given.
type recordedEvents []string

func (r *recordedEvents) add(kind string, eid uint32, msg string) error {
	*r = append(*r, kind+":"+string(rune('0'+eid))+":"+msg)
	return nil
}
func (r *recordedEvents) Info(eid uint32, msg string) error    { return r.add("info", eid, msg) }
func (r *recordedEvents) Warning(eid uint32, msg string) error { return r.add("warning", eid, msg) }
func (r *recordedEvents) Error(eid uint32, msg string) error   { return r.add("error", eid, msg) }

func TestEventHandler(t *testing.T) {
	var got recordedEvents
	log := slog.New(NewEventHandler(&got, slog.LevelWarn)).With("service", "svc")
	log.Info("child started", "pid", 7) // below the threshold: not forwarded
	log.Warn("log bytes dropped", "bytes", 12)
	log.Error("giving up", "err", "3 failures")
	want := recordedEvents{
		"warning:2:log bytes dropped service=svc bytes=12",
		"error:3:giving up service=svc err=3 failures",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
}
