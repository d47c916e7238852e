package scm

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// Event IDs the wrapper writes to the Windows Event Log. The source is
// registered with EventCreate.exe's message file (IDs 1-1000 print the text
// as is).
const (
	eventIDInfo    = 1
	eventIDWarning = 2
	eventIDError   = 3
)

// EventWriter is the part of the Event Log the wrapper uses
// (*eventlog.Log on Windows).
type EventWriter interface {
	Info(eid uint32, msg string) error
	Warning(eid uint32, msg string) error
	Error(eid uint32, msg string) error
}

// eventHandler is a slog.Handler that forwards records at or above min to an
// eventWriter, one event per record: "message key=value ...".
type eventHandler struct {
	w     EventWriter
	min   slog.Level
	attrs []slog.Attr
}

// NewEventHandler returns a slog.Handler forwarding records at min and
// above to w, one event per record.
func NewEventHandler(w EventWriter, min slog.Level) slog.Handler {
	return &eventHandler{w: w, min: min}
}

func (h *eventHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.min }

func (h *eventHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	switch {
	case r.Level >= slog.LevelError:
		return h.w.Error(eventIDError, b.String())
	case r.Level >= slog.LevelWarn:
		return h.w.Warning(eventIDWarning, b.String())
	default:
		return h.w.Info(eventIDInfo, b.String())
	}
}

func (h *eventHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

// WithGroup is not needed by the wrapper's flat records; groups are ignored.
func (h *eventHandler) WithGroup(string) slog.Handler { return h }
