package supervisor

import (
	"math/rand/v2"
	"testing"
	"time"
)

func fixed(r float64) func() float64 { return func() float64 { return r } }

func TestBackoffGrowthAndCap(t *testing.T) {
	b := backoff{base: time.Second, max: 10 * time.Second, jitter: 0.2, rand: fixed(0.5)}
	want := map[int]time.Duration{
		0: time.Second, 1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		4: 8 * time.Second, 5: 10 * time.Second, 6: 10 * time.Second, 1000: 10 * time.Second,
	}
	for failures, d := range want {
		if got := b.delay(failures); got != d {
			t.Errorf("delay(%d) = %v, want %v", failures, got, d)
		}
	}
}

func TestBackoffEdges(t *testing.T) {
	tests := []struct {
		name     string
		b        backoff
		failures int
		want     time.Duration
	}{
		{"zero delay", backoff{base: 0, max: time.Minute, rand: fixed(0.5)}, 10, 0},
		{"no max means no growth", backoff{base: time.Second, rand: fixed(0.5)}, 10, time.Second},
		{"max below base caps", backoff{base: time.Minute, max: time.Second, rand: fixed(0.5)}, 1, time.Second},
		{"huge cap does not overflow", backoff{base: time.Hour, max: 1<<63 - 1, rand: fixed(0.5)}, 1000, 1<<63 - 1},
		{"jitter up is capped", backoff{base: 8 * time.Second, max: 8 * time.Second, jitter: 0.2, rand: fixed(0.999)}, 3, 8 * time.Second},
		{"jitter down", backoff{base: 10 * time.Second, max: time.Minute, jitter: 0.2, rand: fixed(0)}, 1, 8 * time.Second},
		{"jitter up", backoff{base: 10 * time.Second, max: time.Minute, jitter: 0.2, rand: fixed(0.75)}, 1, 11 * time.Second},
	}
	for _, tt := range tests {
		if got := tt.b.delay(tt.failures); got != tt.want {
			t.Errorf("%s: delay(%d) = %v, want %v", tt.name, tt.failures, got, tt.want)
		}
	}
}

// TestBackoffJitterBounds: with real randomness every delay stays within
// ±20% of the nominal value, never above the cap, and actually varies.
func TestBackoffJitterBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := backoff{base: time.Second, max: 5 * time.Second, jitter: 0.2, rand: r.Float64}
	for failures, nominal := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 9: 5 * time.Second} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := b.delay(failures)
			lo, hi := nominal*8/10, min(nominal*12/10, b.max)
			if d < lo || d > hi {
				t.Fatalf("delay(%d) = %v, want in [%v, %v]", failures, d, lo, hi)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("delay(%d) took only %d values: no jitter", failures, len(seen))
		}
	}
}

func TestNewBackoffUsesDefaultRandomness(t *testing.T) {
	b := newBackoff(RestartOptions{Delay: time.Second, MaxDelay: time.Minute})
	if d := b.delay(1); d < 800*time.Millisecond || d > 1200*time.Millisecond {
		t.Fatalf("delay(1) = %v", d)
	}
}
