package supervisor

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata" // the zones of the table, also where the system has none (Windows)
)

// TestNextDaily: one row per rule of nextDaily and occurrence, the nights
// the clock changes included. New York springs forward on 2026-03-08
// (02:00 EST becomes 03:00 EDT) and falls back on 2026-11-01 (02:00 EDT
// becomes 01:00 EST); Lord Howe springs forward by half an hour on
// 2026-10-04 (02:00 becomes 02:30); São Paulo skipped midnight on
// 2018-11-04 (00:00 became 01:00).
func TestNextDaily(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	ny, lordHowe, saoPaulo := zone("America/New_York"), zone("Australia/Lord_Howe"), zone("America/Sao_Paulo")
	at := func(s ...string) []TimeOfDay {
		var out []TimeOfDay
		for _, x := range s {
			tm, err := time.Parse("15:04", x)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, TimeOfDay{tm.Hour(), tm.Minute()})
		}
		return out
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name string
		now  time.Time
		at   []TimeOfDay
		want time.Time // compared as instants
	}{
		{"later today", time.Date(2026, 6, 10, 2, 0, 0, 0, ny), at("03:00"),
			time.Date(2026, 6, 10, 3, 0, 0, 0, ny)},
		{"passed today: tomorrow", time.Date(2026, 6, 10, 12, 0, 0, 0, ny), at("03:00"),
			time.Date(2026, 6, 11, 3, 0, 0, 0, ny)},
		{"exactly now: tomorrow", time.Date(2026, 6, 10, 3, 0, 0, 0, ny), at("03:00"),
			time.Date(2026, 6, 11, 3, 0, 0, 0, ny)},
		{"the earliest of several", time.Date(2026, 6, 10, 10, 0, 0, 0, ny), at("03:00", "15:30", "12:00"),
			time.Date(2026, 6, 10, 12, 0, 0, 0, ny)},
		{"after the last of several: the first tomorrow", time.Date(2026, 6, 10, 16, 0, 0, 0, ny), at("15:30", "03:00"),
			time.Date(2026, 6, 11, 3, 0, 0, 0, ny)},
		{"midnight across the month", time.Date(2026, 6, 30, 23, 59, 0, 0, ny), at("00:00"),
			time.Date(2026, 7, 1, 0, 0, 0, 0, ny)},
		{"spring forward: a time in the gap at the jump", time.Date(2026, 3, 7, 12, 0, 0, 0, ny), at("02:30"),
			utc("2026-03-08T07:00:00Z")}, // 03:00 EDT
		{"spring forward: the hour after the gap as usual", time.Date(2026, 3, 7, 12, 0, 0, 0, ny), at("03:30"),
			utc("2026-03-08T07:30:00Z")},
		{"spring forward: the next day back to normal", utc("2026-03-08T07:00:00Z").In(ny), at("02:30"),
			time.Date(2026, 3, 9, 2, 30, 0, 0, ny)},
		{"fall back: the first of the two", time.Date(2026, 10, 31, 12, 0, 0, 0, ny), at("01:30"),
			utc("2026-11-01T05:30:00Z")}, // 01:30 EDT
		{"fall back: not the second one", utc("2026-11-01T05:30:00Z").In(ny), at("01:30"),
			utc("2026-11-02T06:30:00Z")}, // 01:30 EST the next day
		{"fall back: started in the repeated hour", utc("2026-11-01T06:10:00Z").In(ny), at("01:30"),
			utc("2026-11-02T06:30:00Z")},
		{"fall back: the time after the repeated hour", time.Date(2026, 10, 31, 12, 0, 0, 0, ny), at("02:30"),
			utc("2026-11-01T07:30:00Z")}, // 02:30 EST
		{"half-hour shift: in the gap", time.Date(2026, 10, 3, 12, 0, 0, 0, lordHowe), at("02:15"),
			time.Date(2026, 10, 4, 2, 30, 0, 0, lordHowe)},
		{"midnight in the gap", time.Date(2018, 11, 3, 12, 0, 0, 0, saoPaulo), at("00:00"),
			time.Date(2018, 11, 4, 1, 0, 0, 0, saoPaulo)},
		{"UTC", utc("2026-06-10T23:00:00Z"), at("22:00"), utc("2026-06-11T22:00:00Z")},
		{"none", time.Date(2026, 6, 10, 2, 0, 0, 0, ny), nil, time.Time{}},
	}
	for _, tt := range tests {
		got := nextDaily(tt.now, tt.at)
		if !got.Equal(tt.want) || (!got.IsZero() && got.Location() != tt.now.Location()) {
			t.Errorf("%s: nextDaily(%v, %v) = %v, want %v", tt.name, tt.now, tt.at, got, tt.want.In(tt.now.Location()))
		}
	}
}

// newScheduled is newFakeOpts whose schedule clock reads New York time.
// The bubble's clock starts at 2000-01-01 00:00 UTC, 1999-12-31 19:00 in
// New York.
func newScheduled(t *testing.T, o Options, plan ...run) (*Supervisor, *fakeStarter, *logBuf) {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	s, f, lb := newFakeOpts(t, o, plan...)
	s.now = func() time.Time { return time.Now().In(ny) }
	return s, f, lb
}

// TestScheduleEvery: the child is restarted gracefully once it has run
// Every, as no failure and without a backoff; a child that exited in
// between starts its own period.
func TestScheduleEvery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := RestartOptions{Delay: 5 * s1, Every: time.Hour}
		s, f, lb := newScheduled(t, Options{Restart: r}, run{code: 1, after: 10 * time.Minute})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		synctest.Wait()
		if st := s.Status(); !st.NextScheduledRestart.Equal(f.t0.Add(time.Hour)) {
			t.Fatalf("next scheduled restart %v, want %v", st.NextScheduledRestart, f.t0.Add(time.Hour))
		}
		// Fails at 10m, back at 10m5s: its hour ends at 1h10m5s.
		time.Sleep(time.Hour + 10*time.Minute + 5*s1)
		synctest.Wait()
		want := []time.Duration{0, 10*time.Minute + 5*s1, time.Hour + 10*time.Minute + 5*s1}
		if got := f.startTimes(); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if stops, kills := f.procs[1].counts(); stops != 1 || kills != 0 {
			t.Fatalf("second child: %d stops, %d kills; want a graceful stop", stops, kills)
		}
		st := s.Status()
		if st.State != StateRunning || st.LastRestartCause != CauseSchedule || st.Failures != 1 || st.Restarts != 2 ||
			!st.NextScheduledRestart.Equal(f.t0.Add(want[2]+time.Hour)) {
			t.Fatalf("status after the scheduled restart: %+v", st)
		}
		lb.mustLog(t, "scheduled restart", "pid=1002")
		lb.mustLog(t, "restarting now", "cause=schedule")
		stopRun(t, cancel, errc)
		if st := s.Status(); !st.NextScheduledRestart.IsZero() {
			t.Fatalf("next scheduled restart %v after Run, want none", st.NextScheduledRestart)
		}
	})
}

// TestScheduleAtSkipsBackoff: a daily time restarts a running child, and
// is skipped (and the next day's scheduled) while the child backs off.
func TestScheduleAtSkipsBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := RestartOptions{Delay: time.Hour, MaxDelay: time.Hour, At: []TimeOfDay{{19, 30}, {21, 0}}}
		// Runs 19:00–19:20, fails, backs off until 20:20; restarted at
		// 21:00 by the schedule.
		s, f, lb := newScheduled(t, Options{Restart: r}, run{code: 1, after: 20 * time.Minute})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(31 * time.Minute)
		synctest.Wait()
		st := s.Status()
		if st.State != StateBackoff || len(f.startTimes()) != 1 || !st.NextScheduledRestart.Equal(f.t0.Add(2*time.Hour)) {
			t.Fatalf("status at 19:31: %+v, starts %v", st, f.startTimes())
		}
		lb.mustLog(t, "scheduled restart skipped", "state=backoff")
		time.Sleep(90 * time.Minute) // 21:01
		synctest.Wait()
		want := []time.Duration{0, 80 * time.Minute, 2 * time.Hour}
		if got := f.startTimes(); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		st = s.Status()
		if st.LastRestartCause != CauseSchedule || st.Failures != 1 ||
			!st.NextScheduledRestart.Equal(f.t0.Add(24*time.Hour+30*time.Minute)) {
			t.Fatalf("status at 21:01: %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}

// TestScheduleUpdate: Update replaces the schedule at once.
func TestScheduleUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newScheduled(t, Options{})
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(time.Minute)
		synctest.Wait()
		if st := s.Status(); !st.NextScheduledRestart.IsZero() {
			t.Fatalf("next scheduled restart %v without a schedule", st.NextScheduledRestart)
		}
		o := s.opts
		o.Restart.Every = 10 * time.Minute
		if err := s.Update(ctx, o); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if st := s.Status(); !st.NextScheduledRestart.Equal(f.t0.Add(10 * time.Minute)) {
			t.Fatalf("next scheduled restart %v, want 10m after the start", st.NextScheduledRestart)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if got, want := f.startTimes(), []time.Duration{0, 10 * time.Minute}; !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		stopRun(t, cancel, errc)
	})
}

// TestRealScheduleEvery: a real child is stopped gracefully and started
// again once it has run Every, with cause schedule and no failure.
func TestRealScheduleEvery(t *testing.T) {
	restarted := make(chan Status, 1)
	r := newReal(t, "hang", []string{"started"}, func(o *Options) {
		o.Restart = RestartOptions{Policy: Never, Every: 100 * time.Millisecond}
		o.Stop.Timeout = 2 * time.Second
		o.OnStatus = func(st Status) {
			if st.State == StateRunning && st.Restarts == 1 {
				select {
				case restarted <- st:
				default: // OnStatus must not block
				}
			}
		}
	})
	stop := r.background(t)
	var st Status
	select {
	case st = <-restarted:
	case <-time.After(waitLimit):
		t.Fatalf("no restart within %v", waitLimit)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if st.LastRestartCause != CauseSchedule || st.Failures != 0 || st.NextScheduledRestart.Sub(st.Started) != 100*time.Millisecond {
		t.Fatalf("status after the restart %+v", st)
	}
	r.log.mustLog(t, "restarting the child", "cause=schedule")
	if runtime.GOOS != "windows" {
		// The stop signal ended it. (A test process under Wine may have no
		// console to send Ctrl-C through: the stop ladder kills it then.)
		r.log.mustNotLog(t, "killing the process tree")
	}
}
