package scm

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf16"
)

// Event IDs of records without an entry in eventIDs, by level. The source
// is registered with EventCreate.exe's message file, whose IDs 1-1000
// print the first insertion string as is: every ID stays in that range.
const (
	eventIDInfo    = 1
	eventIDWarning = 2
	eventIDError   = 3
)

// EventType is the kind of an Event Log entry.
type EventType int

// The kinds of Event Log entries, from the record's level.
const (
	EventInfo EventType = iota
	EventWarning
	EventError
)

// EventWriter is the part of the Event Log the wrapper uses. Report
// writes one entry: its kind, its ID and its insertion strings (the
// first is what Event Viewer shows).
type EventWriter interface {
	Report(kind EventType, eid uint32, strs []string) error
}

// eventHandler is a slog.Handler that forwards records at or above min to an
// EventWriter, one entry per record, with the record's event ID
// (eventIDs): insertion string 1 is the whole line ("message key=value
// ..."), the next ones the key=value pairs one each, for filters on
// EventData.
type eventHandler struct {
	w     EventWriter
	min   slog.Level
	attrs []slog.Attr
}

// NewEventHandler returns a slog.Handler forwarding records at min and
// above to w, one entry per record; records of a quiet event (eventIDs)
// need Warn.
func NewEventHandler(w EventWriter, min slog.Level) slog.Handler {
	return &eventHandler{w: w, min: min}
}

func (h *eventHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.min }

func (h *eventHandler) Handle(_ context.Context, r slog.Record) error {
	pairs := make([]string, 0, len(h.attrs)+r.NumAttrs())
	by := ""
	add := func(a slog.Attr) bool {
		if a.Key == "by" {
			by = a.Value.String()
		}
		pairs = append(pairs, fmt.Sprintf("%s=%v", a.Key, a.Value))
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	kind := EventInfo
	switch {
	case r.Level >= slog.LevelError:
		kind = EventError
	case r.Level >= slog.LevelWarn:
		kind = EventWarning
	}
	ev, known := lookupEvent(r.Message, by)
	if known && ev.Quiet && kind == EventInfo {
		return nil
	}
	id := ev.ID
	if !known {
		id = []uint32{eventIDInfo, eventIDWarning, eventIDError}[kind]
	}
	return h.w.Report(kind, id, insertionStrings(r.Message, pairs))
}

func (h *eventHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

// WithGroup is not needed by the wrapper's flat records; groups are ignored.
func (h *eventHandler) WithGroup(string) slog.Handler { return h }

// maxInsertion is the longest insertion string ReportEvent takes, in
// UTF-16 code units; maxStrings bounds how many an entry gets.
const (
	maxInsertion = 31839
	maxStrings   = 64
)

// insertionStrings are an entry's strings: the whole line, then the
// key=value pairs, each cut to what ReportEvent takes.
func insertionStrings(msg string, pairs []string) []string {
	line := msg
	if len(pairs) > 0 {
		line += " " + strings.Join(pairs, " ")
	}
	out := []string{cutUTF16(line, maxInsertion)}
	for _, p := range pairs[:min(len(pairs), maxStrings-1)] {
		out = append(out, cutUTF16(p, maxInsertion))
	}
	return out
}

// cutUTF16 shortens s to at most n UTF-16 code units, on a rune boundary.
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}
