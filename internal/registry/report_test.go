package registry

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	tests := []struct {
		failures int
		r        float64 // the jitter's draw
		want     time.Duration
	}{
		{0, 0.5, time.Second},
		{1, 0.5, time.Second},
		{2, 0.5, 2 * time.Second},
		{3, 0.5, 4 * time.Second},
		{7, 0.5, time.Minute}, // 64 s, capped
		{1000, 0.5, time.Minute},
		{1, 0, 800 * time.Millisecond},     // -20 %
		{2, 0.75, 2200 * time.Millisecond}, // +10 %
		{1000, 0.99, time.Minute},          // jitter never passes the cap
	}
	for _, tt := range tests {
		b := backoff{first: time.Second, max: time.Minute, rand: func() float64 { return tt.r }}
		if got := b.delay(tt.failures); got != tt.want {
			t.Errorf("delay(%d) with draw %v = %v, want %v", tt.failures, tt.r, got, tt.want)
		}
	}
}

func TestReportOutputRoundTrip(t *testing.T) {
	started := time.Date(2026, 12, 7, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	tests := []Report{
		{Note: "child running, pid 42, healthy, 3 restarts", State: "running", Health: "healthy", Restarts: 3, Started: started},
		{Note: "child exited with code 1; restarting in 2s (1 consecutive failures)", State: "backoff", Restarts: 1},
		{Note: "", State: ""},
	}
	for _, r := range tests {
		got, ok := ParseOutput(r.Output())
		if !ok {
			t.Errorf("ParseOutput(%q): no fields", r.Output())
			continue
		}
		if got.Note != r.Note || got.State != r.State || got.Health != r.Health || got.Restarts != r.Restarts || !got.Started.Equal(r.Started) {
			t.Errorf("round trip of %+v gave %+v", r, got)
		}
	}
	// Consul's TTL expiry prefixes the last output; the fields survive.
	expired := "TTL expired (last output before timeout follows): " + tests[0].Output()
	if got, ok := ParseOutput(expired); !ok || got.State != "running" || got.Restarts != 3 {
		t.Errorf("expired output: %+v, %v", got, ok)
	}
	for _, foreign := range []string{"", "HTTP GET http://x: 200 OK", "one\ntwo words"} {
		if _, ok := ParseOutput(foreign); ok {
			t.Errorf("ParseOutput(%q) found fields in another program's output", foreign)
		}
	}
}
