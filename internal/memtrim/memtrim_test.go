package memtrim

import (
	"errors"
	"testing"
	"time"
)

// initialised lives in the executable's writable data (it has an initial
// value), the mapping Release must leave alone.
var initialised = [8]int{1, 2, 3, 4, 5, 6, 7, 8}

func TestReleaseKeepsWrittenData(t *testing.T) {
	initialised[3] = 42
	if err := Release(); err != nil {
		t.Fatal(err)
	}
	if initialised[3] != 42 || initialised[4] != 5 {
		t.Fatalf("data changed by Release: %v", initialised)
	}
}

func TestSettler(t *testing.T) {
	calls := make(chan int, 8)
	reported := make(chan error, 8)
	n := 0
	release := func() error { n++; calls <- n; return errors.New("boom") }
	s := NewSettler(time.Millisecond, release, func(err error) { reported <- err })
	defer s.Stop()

	s.Observe(7)
	if got := <-calls; got != 1 {
		t.Fatalf("first release: call %d", got)
	}
	if err := <-reported; err == nil || err.Error() != "boom" {
		t.Fatalf("reported %v, want boom", err)
	}
	s.Observe(7) // the same child: nothing more
	s.mu.Lock()
	armed := s.timer != nil && s.timer.Stop()
	s.mu.Unlock()
	if armed {
		t.Fatal("observing the same key armed the settler again")
	}

	s.after = time.Hour
	s.Observe(9)
	s.Observe(0) // the child went away before it settled
	s.mu.Lock()
	cancelled := s.timer == nil
	s.mu.Unlock()
	if !cancelled {
		t.Fatal("Observe(0) left the countdown running")
	}
	s.after = time.Millisecond
	s.Observe(11)
	if got := <-calls; got != 2 {
		t.Fatalf("release after a new key: call %d", got)
	}
	s.Touch() // activity while the child runs: once more
	if got := <-calls; got != 3 {
		t.Fatalf("release after Touch: call %d", got)
	}
	s.Observe(0)
	s.Touch() // no child: nothing
	s.mu.Lock()
	idle := s.timer == nil
	s.mu.Unlock()
	if !idle {
		t.Fatal("Touch without a key armed the settler")
	}
}
