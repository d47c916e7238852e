package supervisor

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	r := RestartOptions{SuccessExitCodes: []int{0, 3, 10}, FatalExitCodes: []int{78, 3, 11},
		OnExit: map[int]ExitAction{10: ActionRestart, 11: ActionRestart, 12: ActionRestart, 13: ActionStop,
			14: ActionFatal, 0: ActionFatal}}
	plain := RestartOptions{SuccessExitCodes: []int{0, 3}, FatalExitCodes: []int{78, 3}}
	tests := []struct {
		name string
		r    RestartOptions
		exit Exit
		want exitClass
	}{
		{"zero", plain, Exit{Code: 0}, exitSuccess},
		{"other code", plain, Exit{Code: 1}, exitFailure},
		{"fatal code", plain, Exit{Code: 78}, exitFatal},
		{"fatal wins over success", plain, Exit{Code: 3}, exitFatal},
		{"signal", plain, Exit{Code: -1, Signal: "SIGKILL"}, exitFailure},
		{"start failure", plain, Exit{Code: -1, Err: errors.New("no such file")}, exitFailure},
		{"start failure with success code", plain, Exit{Code: 0, Err: errors.New("x")}, exitFailure},
		{"restart on a success code is no failure", r, Exit{Code: 10}, exitRestart},
		{"restart wins over the fatal list", r, Exit{Code: 11}, exitRestartFail},
		{"restart on another code is a failure", r, Exit{Code: 12}, exitRestartFail},
		{"stop", r, Exit{Code: 13}, exitStop},
		{"fatal action", r, Exit{Code: 14}, exitFatal},
		{"fatal action wins over the success list", r, Exit{Code: 0}, exitFatal},
		{"no action: the lists decide", r, Exit{Code: 3}, exitFatal},
		{"actions are for exit codes, not signals", r, Exit{Code: 13, Signal: "SIGTERM"}, exitFailure},
		{"actions are for exit codes, not start failures", r, Exit{Code: 13, Err: errors.New("x")}, exitFailure},
		{"a start that cannot succeed here is fatal", plain, Exit{Code: -1,
			Err: fmt.Errorf("wait for service db: %w", errors.ErrUnsupported)}, exitFatal},
	}
	for _, tt := range tests {
		if got := classify(tt.r, tt.exit); got != tt.want {
			t.Errorf("%s: classify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	opts := func(p Policy, maxFailures int) RestartOptions {
		return RestartOptions{Policy: p, MaxFailures: maxFailures, ResetAfter: time.Minute,
			SuccessExitCodes: []int{0, 2}, FatalExitCodes: []int{78},
			OnExit: map[int]ExitAction{2: ActionRestart, 75: ActionStop, 76: ActionRestart, 3: ActionFatal}}
	}
	restartOK := Exit{Code: 2, Uptime: time.Second}
	restartFail := Exit{Code: 76, Uptime: time.Second}
	stop := Exit{Code: 75, Uptime: time.Second}
	fatalAction := Exit{Code: 3, Uptime: time.Second}
	ok := Exit{Code: 0, Uptime: time.Second}
	fail := Exit{Code: 1, Uptime: time.Second}
	longFail := Exit{Code: 1, Uptime: time.Minute}
	killed := Exit{Code: -1, Signal: "SIGKILL", Uptime: time.Second}
	startErr := Exit{Code: -1, Err: errors.New("not found")}
	fatal := Exit{Code: 78, Uptime: time.Hour}
	tests := []struct {
		name     string
		r        RestartOptions
		exit     Exit
		failures int
		want     decision
	}{
		{"always success restarts, resets", opts(Always, 3), ok, 2,
			decision{restart: true, failures: 0}},
		{"always failure restarts", opts(Always, 0), fail, 5,
			decision{restart: true, failure: true, failures: 6}},
		{"on-failure success stops", opts(OnFailure, 3), ok, 2,
			decision{failures: 0}},
		{"on-failure failure restarts", opts(OnFailure, 3), fail, 1,
			decision{restart: true, failure: true, failures: 2}},
		{"on-failure signal is a failure", opts(OnFailure, 0), killed, 0,
			decision{restart: true, failure: true, failures: 1}},
		{"start failure counts", opts(OnFailure, 0), startErr, 0,
			decision{restart: true, failure: true, failures: 1}},
		{"never success", opts(Never, 0), ok, 0,
			decision{failures: 0}},
		{"never failure", opts(Never, 0), fail, 0,
			decision{failure: true, failures: 1}},
		{"fatal under always", opts(Always, 0), fatal, 0,
			decision{failure: true, failures: 1}},
		{"breaker trips at max", opts(OnFailure, 3), fail, 2,
			decision{failure: true, failures: 3, gaveUp: true}},
		{"breaker trips on start failures", opts(Always, 2), startErr, 1,
			decision{failure: true, failures: 2, gaveUp: true}},
		{"long run resets before counting", opts(OnFailure, 3), longFail, 2,
			decision{restart: true, failure: true, failures: 1}},
		{"no reset when reset_after is 0", RestartOptions{Policy: OnFailure, MaxFailures: 3,
			SuccessExitCodes: []int{0}}, Exit{Code: 1, Uptime: time.Hour}, 2,
			decision{failure: true, failures: 3, gaveUp: true}},
		{"max 0 never gives up", opts(OnFailure, 0), fail, 1000,
			decision{restart: true, failure: true, failures: 1001}},
		{"never does not trip the breaker", opts(Never, 1), fail, 0,
			decision{failure: true, failures: 1}},
		{"restart action on a success code restarts under never, resets", opts(Never, 3), restartOK, 2,
			decision{restart: true, failures: 0}},
		{"restart action on a success code restarts under on-failure", opts(OnFailure, 3), restartOK, 0,
			decision{restart: true, failures: 0}},
		{"restart action on another code restarts under never, a failure", opts(Never, 0), restartFail, 1,
			decision{restart: true, failure: true, failures: 2}},
		{"restart action as a failure trips the breaker", opts(Never, 3), restartFail, 2,
			decision{failure: true, failures: 3, gaveUp: true}},
		{"stop action ends under always, no failure", opts(Always, 3), stop, 2,
			decision{failures: 0}},
		{"fatal action under always", opts(Always, 0), fatalAction, 0,
			decision{failure: true, failures: 1}},
	}
	for _, tt := range tests {
		got := decide(tt.r, tt.exit, tt.failures)
		if got.reason == "" {
			t.Errorf("%s: empty reason", tt.name)
		}
		got.reason = ""
		if got != tt.want {
			t.Errorf("%s: decide = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
