package logrotate

import (
	"fmt"
	"time"
)

// MinRotateEvery is the shortest accepted Options.RotateEvery: 1s.
const MinRotateEvery = time.Second

// day is the unit of RotateEvery values of a day or more.
const day = 24 * time.Hour

// rotationEpoch is the day rotations of whole days are counted from: a
// Monday, so that a period of 7 days starts on Mondays.
var rotationEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// checkRotateEvery reports a RotateEvery that nextBoundary cannot follow.
func checkRotateEvery(d time.Duration) error {
	switch {
	case d == 0:
		return nil
	case d < MinRotateEvery:
		return fmt.Errorf("log rotate every %s: must be 0 (off) or at least %s", d, MinRotateEvery)
	case d > day && d%day != 0:
		return fmt.Errorf("log rotate every %s: above 24h it must be a whole number of days", d)
	}
	return nil
}

// nextBoundary returns the first rotation time after t for a period d
// accepted by checkRotateEvery, by the wall clock of t's location.
// Periods shorter than a day start at midnight and then every d (1h: on
// the hour; 7h: at 0:00, 7:00, 14:00 and 21:00, the last period of each day
// being shorter); periods of n whole days start at midnight every n days
// counted from Monday 2001-01-01 (7 days: every Monday). Wall-clock
// arithmetic keeps 1h on the hour on the days daylight saving time starts
// or ends (those days have one period fewer or more).
func nextBoundary(t time.Time, d time.Duration) time.Time {
	y, m, dd := t.Date()
	loc := t.Location()
	if d >= day {
		n := int64(d / day)
		today := int64(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Sub(rotationEpoch) / day)
		next := today + n - ((today%n)+n)%n // the first multiple of n after today
		return time.Date(2001, 1, 1+int(next), 0, 0, 0, 0, loc)
	}
	tomorrow := time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	h, mi, s := t.Clock()
	wall := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
	for k := wall/d + 1; ; k++ {
		since := k * d
		b := time.Date(y, m, dd, 0, 0, int(since/time.Second), int(since%time.Second), loc)
		if !b.Before(tomorrow) {
			return tomorrow
		}
		if b.After(t) { // in the hour repeated when the clock goes back, b may lie before t
			return b
		}
	}
}

// startTimerLocked schedules the first time rotation after from: the time
// of the last write into an existing file (so that a file written before
// a boundary that passed while no wrapper ran is rotated at once), or now.
func (f *File) startTimerLocked(from time.Time) {
	f.timeDue = false
	if f.every > 0 {
		f.nextRotate = nextBoundary(from, f.every)
	}
	f.armLocked()
}

// armLocked sets the timer for nextRotate, creating it on first use, or
// stops it when time rotation is off. It is the only wake-up time
// rotation costs: one per period, none in between.
func (f *File) armLocked() {
	switch {
	case f.every <= 0:
		if f.timer != nil {
			f.timer.Stop()
		}
	case f.timer == nil:
		f.timer = time.AfterFunc(time.Until(f.nextRotate), f.onTimer)
	default:
		f.timer.Reset(time.Until(f.nextRotate))
	}
}

// onTimer runs when a period ends, in the timer's goroutine.
func (f *File) onTimer() {
	f.wakes.Add(1)
	var rep report
	f.mu.Lock()
	if !f.closed && f.every > 0 {
		f.rotateOnTimeLocked(time.Now(), &rep)
		f.armLocked()
	}
	f.mu.Unlock()
	f.report(rep)
}

// rotateOnTimeLocked rotates when the current file's period is over:
// called by the timer and before every write batch, which also covers a
// timer that fired late (the system slept) or a wall clock that jumped.
// The rotation falls between two batches, so lines stay whole; an empty
// file is not rotated. A failed rotation is retried by later writes, as
// the size rule's is.
func (f *File) rotateOnTimeLocked(now time.Time, rep *report) {
	if f.every <= 0 || (now.Before(f.nextRotate) && !f.timeDue) {
		return
	}
	if !now.Before(f.nextRotate) {
		f.nextRotate = nextBoundary(now, f.every)
		f.timeDue = true
	}
	if err := f.openLocked(rep); err != nil {
		return // the write that follows, if any, reports it
	}
	if f.size == 0 {
		f.timeDue = false
		return
	}
	f.autoRotateLocked(rep) // clears timeDue on success
}
