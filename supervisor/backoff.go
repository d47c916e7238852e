package supervisor

import (
	"math/rand/v2"
	"time"
)

// defaultJitter spreads restart delays by ±20% so that many wrappers whose
// children fail together (a database restart) do not restart in lockstep.
const defaultJitter = 0.2

// backoff computes restart delays: base doubled for every consecutive
// failure after the first, capped at max, then jittered. It is a value with
// no clock; the supervisor's loop owns the failure count and the timer.
type backoff struct {
	base   time.Duration  // delay for the first failure (and success restarts)
	max    time.Duration  // cap; 0 means no growth beyond base
	jitter float64        // fraction of the delay, e.g. 0.2 for ±20%
	rand   func() float64 // uniform in [0, 1); nil means math/rand/v2
}

// newBackoff returns the backoff for normalized restart options.
func newBackoff(r RestartOptions) backoff {
	return backoff{base: r.Delay, max: r.MaxDelay, jitter: defaultJitter}
}

// delay returns the wait before the restart that follows the given number
// of consecutive failures (0 or 1 both mean base). The result is never
// negative and never above the cap.
func (b backoff) delay(failures int) time.Duration {
	limit := b.max
	if limit == 0 {
		limit = b.base
	}
	d := min(b.base, limit)
	for i := 1; i < failures && d > 0 && d < limit; i++ {
		if d > limit/2 { // doubling would pass the cap (or overflow)
			d = limit
			break
		}
		d *= 2
	}
	r := b.rand
	if r == nil {
		r = rand.Float64
	}
	// Clamp in floating point: converting a value beyond the int64 range
	// to a Duration is undefined.
	j := float64(d) * (1 + b.jitter*(2*r()-1))
	switch {
	case j >= float64(limit):
		return limit
	case j <= 0:
		return 0
	}
	return time.Duration(j)
}
