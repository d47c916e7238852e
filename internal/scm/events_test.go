package scm

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// recordedEvents is an EventWriter that remembers each entry as
// "kind:id:string|string|...".
type recordedEvents []string

func (r *recordedEvents) Report(kind EventType, eid uint32, strs []string) error {
	*r = append(*r, fmt.Sprintf("%s:%d:%s", []string{"info", "warning", "error"}[kind], eid, strings.Join(strs, "|")))
	return nil
}

// TestEventHandler: each record becomes one entry with its event's ID,
// the whole line as insertion string 1 and each key=value after it;
// records below the threshold, and quiet events at Info, are not written;
// a record without an event gets the ID of its level.
func TestEventHandler(t *testing.T) {
	var got recordedEvents
	log := slog.New(NewEventHandler(&got, slog.LevelInfo)).With("service", "svc")
	log.Debug("child started", "pid", 6) // below the threshold
	log.Info("child started", "pid", 7)
	log.Info("waiting", "for", "tcp db:5432") // quiet
	log.Warn("log bytes dropped", "bytes", 12)
	log.Info("stopped", "by", "kill")
	log.Info("stopped")
	log.Warn("a link was found in place of a log backup; it was removed, not followed", "name", "x.log.1")
	log.Error("something new", "err", "boom")
	log.Info("something new too")
	want := recordedEvents{
		"info:300:child started service=svc pid=7|service=svc|pid=7",
		"warning:208:log bytes dropped service=svc bytes=12|service=svc|bytes=12",
		"info:413:stopped service=svc by=kill|service=svc|by=kill",
		"info:410:stopped service=svc|service=svc",
		"warning:617:a link was found in place of a log backup; it was removed, not followed service=svc name=x.log.1|service=svc|name=x.log.1",
		"error:3:something new service=svc err=boom|service=svc|err=boom",
		"info:1:something new too service=svc|service=svc",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
}

func TestInsertionStrings(t *testing.T) {
	if got := insertionStrings("m", nil); !slices.Equal(got, []string{"m"}) {
		t.Errorf("no pairs: %q", got)
	}
	long := strings.Repeat("é", maxInsertion+5)
	got := insertionStrings("m", []string{"a=" + long})
	if len(got) != 2 || len([]rune(got[1])) != maxInsertion || !strings.HasPrefix(got[0], "m a=é") {
		t.Errorf("a long value is not cut to %d code units: %d, %d", maxInsertion, len([]rune(got[0])), len([]rune(got[1])))
	}
	if got := cutUTF16("a😀b", 2); got != "a" {
		t.Errorf("cutUTF16 split a surrogate pair: %q", got)
	}
	many := make([]string, 100)
	if got := insertionStrings("m", many); len(got) != maxStrings {
		t.Errorf("%d strings, want at most %d", len(got), maxStrings)
	}
}

// TestEventIDs: IDs are unique, within EventCreate's 1-1000 (which prints
// the text as is) and above the level IDs; a message has one entry (per
// "by" value); the lookup finds each entry.
func TestEventIDs(t *testing.T) {
	ids, keys := map[uint32]bool{}, map[string]bool{}
	for _, e := range eventIDs {
		key := e.Msg + "\x00" + e.By
		switch {
		case e.ID <= eventIDError || e.ID > 1000:
			t.Errorf("event %q: ID %d outside 4..1000", e.Msg, e.ID)
		case ids[e.ID]:
			t.Errorf("ID %d used twice", e.ID)
		case keys[key]:
			t.Errorf("event %q (by %q) listed twice", e.Msg, e.By)
		}
		ids[e.ID], keys[key] = true, true
		if got, ok := lookupEvent(e.Msg+map[bool]string{true: "…"}[e.Prefix], e.By); !ok || got.ID != e.ID {
			t.Errorf("lookupEvent(%q, %q) = %d, %v; want %d", e.Msg, e.By, got.ID, ok, e.ID)
		}
	}
}
