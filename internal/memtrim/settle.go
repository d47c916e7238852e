package memtrim

import (
	"sync"
	"time"
)

// Settler calls Release once a state has lasted a while: the host arms it
// with the running child's pid, so that the memory is given back once per
// child start, after start-up's work is over, and never in the middle of a
// burst of restarts.
type Settler struct {
	after   time.Duration
	report  func(error)
	release func() error

	mu    sync.Mutex
	key   int
	timer *time.Timer
}

// NewSettler returns a Settler that calls release (Release, or a test's
// stand-in) after the given quiet time and passes its error, if any, to
// report.
func NewSettler(after time.Duration, release func() error, report func(error)) *Settler {
	return &Settler{after: after, report: report, release: release}
}

// Observe starts the countdown when key is not 0 and differs from the last
// key observed, and cancels it when key is 0. It never blocks.
func (s *Settler) Observe(key int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if key == s.key {
		return
	}
	s.key = key
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if key != 0 {
		s.timer = time.AfterFunc(s.after, s.fire)
	}
}

// Touch starts the countdown again for the current key, if any: activity
// that touched more of the executable (a control request) is given back
// once it is over.
func (s *Settler) Touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != 0 {
		if s.timer != nil {
			s.timer.Stop()
		}
		s.timer = time.AfterFunc(s.after, s.fire)
	}
}

// Stop cancels a countdown in progress.
func (s *Settler) Stop() { s.Observe(0) }

// fire runs the release from the timer's goroutine.
func (s *Settler) fire() {
	if err := s.release(); err != nil && s.report != nil {
		s.report(err)
	}
}
