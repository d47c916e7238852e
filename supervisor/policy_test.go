package supervisor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// TestLoopPolicies runs plans that end by themselves and checks when the
// children started and how Run ended.
func TestLoopPolicies(t *testing.T) {
	errStart := errors.New("exec: not found")
	exitErr := func(code int) func(error) bool {
		return func(err error) bool {
			var ee *ExitError
			return errors.As(err, &ee) && ee.Exit.Code == code
		}
	}
	isNil := func(err error) bool { return err == nil }
	base := RestartOptions{Delay: s1, MaxDelay: time.Minute}
	with := func(p Policy, edit func(*RestartOptions)) RestartOptions {
		r := base
		r.Policy = p
		if edit != nil {
			edit(&r)
		}
		return r
	}
	tests := []struct {
		name   string
		r      RestartOptions
		plan   []run
		starts []time.Duration
		err    func(error) bool
		state  State
	}{
		{"never success", with(Never, nil), []run{{code: 0, after: s1}},
			secs(0), isNil, StateExited},
		{"never failure", with(Never, nil), []run{{code: 3, after: s1}},
			secs(0), exitErr(3), StateExited},
		{"never start failure", with(Never, nil), []run{{startErr: errStart}},
			secs(0), func(err error) bool { return errors.Is(err, errStart) }, StateExited},
		{"on-failure success ends", with(OnFailure, nil), []run{{code: 0}},
			secs(0), isNil, StateExited},
		{"on-failure restarts failures", with(OnFailure, nil), []run{{code: 2}, {code: 2}, {code: 0}},
			secs(0, 1, 3), isNil, StateExited},
		{"on-failure signal is a failure", with(OnFailure, nil), []run{{code: -1, signal: "SIGKILL"}, {code: 0}},
			secs(0, 1), isNil, StateExited},
		{"on-failure start failure is a failure", with(OnFailure, nil), []run{{startErr: errStart}, {code: 0}},
			secs(0, 1), isNil, StateExited},
		{"on-failure custom success code", with(OnFailure, func(r *RestartOptions) { r.SuccessExitCodes = []int{0, 3} }),
			[]run{{code: 3}}, secs(0), isNil, StateExited},
		{"always fatal code", with(Always, func(r *RestartOptions) { r.FatalExitCodes = []int{78} }),
			[]run{{code: 0, after: s1}, {code: 78}}, secs(0, 2), exitErr(78), StateExited},
		{"on-failure fatal code", with(OnFailure, func(r *RestartOptions) { r.FatalExitCodes = []int{78} }),
			[]run{{code: 1}, {code: 78}}, secs(0, 1), exitErr(78), StateExited},
		{"never restart action on success", with(Never, func(r *RestartOptions) { r.OnExit = map[int]ExitAction{0: ActionRestart} }),
			[]run{{code: 0, after: s1}, {code: 0, after: s1}, {code: 1}}, secs(0, 2, 4), exitErr(1), StateExited},
		{"always stop action", with(Always, func(r *RestartOptions) { r.OnExit = map[int]ExitAction{75: ActionStop} }),
			[]run{{code: 1}, {code: 75}}, secs(0, 1), isNil, StateExited},
		{"restart action as failure backs off and gives up", with(Never, func(r *RestartOptions) {
			r.OnExit, r.MaxFailures = map[int]ExitAction{9: ActionRestart}, 3
		}), []run{{code: 9}, {code: 9}, {code: 9}}, secs(0, 1, 3), func(err error) bool { return errors.Is(err, ErrGaveUp) }, StateGaveUp},
		{"fatal action", with(Always, func(r *RestartOptions) { r.OnExit = map[int]ExitAction{0: ActionFatal} }),
			[]run{{code: 1}, {code: 0}}, secs(0, 1), exitErr(0), StateExited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, _ := newFake(t, tt.r, StopOptions{}, tt.plan...)
				err := s.Run(t.Context())
				if !tt.err(err) {
					t.Errorf("Run = %v", err)
				}
				if got := f.startTimes(); !slices.Equal(got, tt.starts) {
					t.Errorf("starts %v, want %v", got, tt.starts)
				}
				if st := s.Status(); st.State != tt.state {
					t.Errorf("state %s, want %s", st.State, tt.state)
				}
			})
		})
	}
}

// TestLoopAlways: success exits restart after Delay and reset the failure
// count; failures back off as usual.
func TestLoopAlways(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		plan := []run{{code: 0, after: s1}, {code: 0, after: s1}, {code: 1}, {code: 1}, {code: 0, after: s1}}
		s, f, _ := newFake(t, RestartOptions{Policy: Always, Delay: s1, MaxDelay: time.Minute}, StopOptions{}, plan...)
		ctx, cancel := context.WithCancel(t.Context())
		errc := runAsync(ctx, s)
		time.Sleep(6 * s1)
		synctest.Wait()
		if st := s.Status(); st.Failures != 2 || st.State != StateBackoff {
			t.Fatalf("status at 6s: %+v", st)
		}
		time.Sleep(4 * s1)
		synctest.Wait()
		// 0 ok at 1 → 2 ok at 3 → 4 fails (1) → 5 fails (2) → 7 ok at 8,
		// count reset → 9.
		if got, want := f.startTimes(), secs(0, 2, 4, 5, 7, 9); !slices.Equal(got, want) {
			t.Fatalf("starts %v, want %v", got, want)
		}
		if st := s.Status(); st.Failures != 0 || st.Restarts != 5 || st.State != StateRunning {
			t.Fatalf("status at 10s: %+v", st)
		}
		stopRun(t, cancel, errc)
	})
}
