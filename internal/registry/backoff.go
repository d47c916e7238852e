package registry

import (
	"math/rand/v2"
	"time"
)

// backoff computes the wait before the next attempt after consecutive
// failures: first doubled per failure up to max, then jittered by ±20 % so
// that the wrappers of a whole fleet do not retry in step after their
// agent (or the network) comes back. A value without a clock, like the
// supervisor's restart backoff (which is not exported).
type backoff struct {
	first, max time.Duration
	rand       func() float64 // uniform in [0, 1); nil means math/rand/v2
}

// defaultBackoff retries quickly after a blip and once a minute during a
// long outage, which bounds the warnings in the log as well.
var defaultBackoff = backoff{first: time.Second, max: time.Minute}

// delay returns the wait after the given number of consecutive failures
// (1 or less: first). It never exceeds max.
func (b backoff) delay(failures int) time.Duration {
	d := b.first
	for i := 1; i < failures && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	r := b.rand
	if r == nil {
		r = rand.Float64
	}
	return min(time.Duration(float64(d)*(0.8+0.4*r())), b.max)
}
