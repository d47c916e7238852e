package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/metrics"
	"github.com/wrapper-dev/wrapper/internal/page"
)

// page answers the status page.
func (s *Server) page(w http.ResponseWriter, r *http.Request, _ []byte) {
	resp := s.o.Control(control.Request{Cmd: "status"})
	if !resp.OK || resp.Status == nil {
		writeJSON(w, http.StatusInternalServerError, resp)
		return
	}
	st := resp.Status
	v := page.Status{Refresh: refresh, Now: s.o.Now(), Version: s.o.Version, Service: st.Service, State: st.State,
		PID: st.PID, Health: st.Health, HealthFailures: st.HealthFailures, Waiting: st.Waiting,
		Restarts: st.Restarts, StderrTail: st.StderrTail}
	if s.bySession(r) {
		v.Logout = true
	}
	if st.Started != nil {
		v.Started = *st.Started
	}
	if st.NextStart != nil {
		v.NextStart = *st.NextStart
	}
	if e := st.LastExit; e != nil {
		v.LastExit, v.LastExitAt, v.LastExitUptime = e.Meaning, e.At, e.Uptime
		if e.Error != "" {
			v.LastExit += ": " + e.Error
		}
	}
	if s.o.Usage != nil {
		if u, err := s.o.Usage(); err == nil {
			v.Memory, v.MemoryKnown = u.RSS, true
			if s.o.History != nil {
				s.o.History.Offer(u.RSS)
			}
		}
	}
	s.history(&v)
	var buf bytes.Buffer
	if err := page.RenderStatus(&buf, v); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	pageHeaders(w)
	_, _ = w.Write(buf.Bytes())
}

// history fills the page's restart counts, list and charts from the
// Recorder.
func (s *Server) history(v *page.Status) {
	h := s.o.History
	if h == nil {
		return
	}
	counts := h.Restarts()
	for _, r := range metrics.Reasons {
		v.ByReason = append(v.ByReason, page.ReasonCount{Reason: string(r), Count: counts[r]})
	}
	recent := h.Recent()
	for i := len(recent) - 1; i >= 0; i-- {
		v.Recent = append(v.Recent, page.RecentRestart{At: recent[i].At, Reason: string(recent[i].Reason)})
	}
	var restarts, memory []page.Point
	for _, m := range h.Hour() {
		at := m.Start.UTC().Format(time.TimeOnly[:5])
		restarts = append(restarts, page.Point{Value: float64(m.Restarts), Title: fmt.Sprintf("%s: %d restarts", at, m.Restarts)})
		memory = append(memory, page.Point{Value: float64(m.RSS), Missing: !m.Sampled, Title: at + ": " + page.Bytes(m.RSS)})
	}
	v.RestartChart = page.Bars("restarts per minute, last hour", restarts)
	v.MemoryChart = page.Line("resident memory, last hour", memory)
}
