package supervisor

import (
	"fmt"
	"time"
)

// TimeOfDay is a wall-clock time of day, in the location of the
// Supervisor's clock (local time), for RestartOptions.At.
type TimeOfDay struct {
	Hour   int // 0 to 23
	Minute int // 0 to 59
}

// String returns the time as HH:MM.
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// valid reports whether t is a time of day.
func (t TimeOfDay) valid() bool {
	return t.Hour >= 0 && t.Hour < 24 && t.Minute >= 0 && t.Minute < 60
}

// nextDaily returns the first occurrence strictly after now of any of the
// times of day, in now's location (see occurrence for the days on which
// the clock jumps); zero when at is empty.
func nextDaily(now time.Time, at []TimeOfDay) time.Time {
	y, m, d := now.Date()
	// Every time of day occurs exactly once on every date, within that
	// date, so the first date with an occurrence after now holds the
	// answer: today or tomorrow.
	for day := range 2 {
		var best time.Time
		for _, t := range at {
			c := occurrence(y, m, d+day, t, now.Location())
			if c.After(now) && (best.IsZero() || c.Before(best)) {
				best = c
			}
		}
		if !best.IsZero() {
			return best
		}
	}
	return time.Time{}
}

// occurrence returns the instant at which the wall clock of loc reads t on
// the given date (d may overflow the month, as for time.Date). When the
// clock moves forward past t that day (02:30 on a spring-forward night
// from 02:00 to 03:00) the time never shows, and occurrence returns the
// instant of the jump: a daily restart is late that day rather than
// skipped. When the clock moves back over t (01:30 on a fall-back night
// from 02:00 to 01:00) the time shows twice, and occurrence returns the
// first: the restart happens once. time.Date leaves both choices to
// chance ("correct in one of the two zones involved"), hence this
// function.
func occurrence(y int, m time.Month, d int, t TimeOfDay, loc *time.Location) time.Time {
	// The wall time read as if it were UTC: the instant sought is that
	// minus the offset in effect then, one of the offsets in effect a day
	// either side (zones change their offset at most once in two days).
	wall := time.Date(y, m, d, t.Hour, t.Minute, 0, 0, time.UTC)
	wy, wm, wd := wall.Date()
	var first, earliest time.Time
	for _, probe := range []time.Time{wall.Add(-24 * time.Hour), wall.Add(24 * time.Hour)} {
		_, offset := probe.In(loc).Zone()
		c := wall.Add(-time.Duration(offset) * time.Second).In(loc)
		if earliest.IsZero() || c.Before(earliest) {
			earliest = c
		}
		cy, cm, cd := c.Date()
		shows := cy == wy && cm == wm && cd == wd && c.Hour() == t.Hour && c.Minute() == t.Minute
		if shows && (first.IsZero() || c.Before(first)) {
			first = c
		}
	}
	if !first.IsZero() {
		return first
	}
	// In the gap: the earlier candidate lies before the jump, in the zone
	// that the jump ends.
	_, end := earliest.ZoneBounds()
	return end.In(loc)
}

// armSchedule sets the timer of the next scheduled restart, the earlier of
// the daily one (l.schedAt) and the one after RestartOptions.Every of
// running (l.schedEvery), and Status.NextScheduledRestart; no timer when
// neither is set. The caller publishes.
func (l *loop) armSchedule() {
	if l.sched != nil {
		l.sched.Stop()
		l.sched = nil
	}
	due := l.schedAt
	if !l.schedEvery.IsZero() && (due.IsZero() || l.schedEvery.Before(due)) {
		due = l.schedEvery
	}
	l.st.NextScheduledRestart = due
	if !due.IsZero() {
		l.sched = time.NewTimer(max(0, due.Sub(l.s.now())))
	}
}

// onSchedule restarts the child gracefully, not as a failure, when a
// scheduled restart is due and the child runs; in any other state (a
// backoff, a start, a stop under way) the restart is skipped. Either way
// the next occurrence is scheduled.
func (l *loop) onSchedule() (done bool, err error) {
	l.sched = nil
	now := l.s.now()
	dueAt := !l.schedAt.IsZero() && !now.Before(l.schedAt)
	dueEvery := !l.schedEvery.IsZero() && !now.Before(l.schedEvery)
	if !dueAt && !dueEvery {
		// The wall clock was set back since the timer was armed.
		l.armSchedule()
		return false, nil
	}
	if dueAt {
		l.schedAt = nextDaily(now, l.s.opts.Restart.At)
	}
	if dueEvery {
		l.schedEvery = time.Time{} // the next start arms it again
	}
	l.armSchedule()
	if l.st.State != StateRunning || l.proc == nil {
		l.publish()
		l.s.log.Info("scheduled restart skipped", "state", l.st.State, "next", l.st.NextScheduledRestart)
		return false, nil
	}
	l.s.log.Info("scheduled restart", "pid", l.st.PID)
	return l.beginStop(CauseSchedule) // publishes
}

// scheduleRun arms the schedule when Run begins, and again when Update
// changed it: the daily times from now, Every from the running child's
// start.
func (l *loop) scheduleRun() {
	r := l.s.opts.Restart
	l.schedAt, l.schedEvery = nextDaily(l.s.now(), r.At), time.Time{}
	if r.Every > 0 && l.proc != nil {
		l.schedEvery = l.st.Started.Add(r.Every)
	}
	l.armSchedule()
}

// unschedule drops the scheduled restarts: Run ends.
func (l *loop) unschedule() {
	l.schedAt, l.schedEvery = time.Time{}, time.Time{}
	l.armSchedule()
}

// scheduleChild arms (running) or clears (!running) the Every restart of
// the child that just started or exited.
func (l *loop) scheduleChild(running bool) {
	l.schedEvery = time.Time{}
	if every := l.s.opts.Restart.Every; running && every > 0 {
		l.schedEvery = l.st.Started.Add(every)
	}
	l.armSchedule()
}
