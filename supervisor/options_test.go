package supervisor

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestNewDefaults(t *testing.T) {
	args := []string{"a"}
	s, err := New(Options{Path: "x", Args: args})
	if err != nil {
		t.Fatal(err)
	}
	args[0] = "changed"
	o := s.opts
	if o.Restart.Policy != OnFailure || o.Stop.Timeout != 10*time.Second || o.Stop.Signal != "TERM" ||
		len(o.Restart.SuccessExitCodes) != 1 || o.Restart.SuccessExitCodes[0] != 0 || o.Logger == nil {
		t.Fatalf("defaults not filled in: %+v", o)
	}
	if o.Args[0] != "a" {
		t.Fatal("Options.Args not copied")
	}
	if st := s.Status(); st.State != StateStopped || st.PID != 0 || st.LastExit != nil {
		t.Fatalf("initial status %+v", st)
	}
}

func TestNewSignalNames(t *testing.T) {
	for in, want := range map[string]string{"": "TERM", "INT": "INT", "SIGHUP": "HUP", "USR2": "USR2", "SIGQUIT": "QUIT"} {
		s, err := New(Options{Path: "x", Stop: StopOptions{Signal: in}})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if s.opts.Stop.Signal != want {
			t.Errorf("%q: got %q, want %q", in, s.opts.Stop.Signal, want)
		}
	}
}

func TestNewRejectsEveryProblem(t *testing.T) {
	_, err := New(Options{
		Restart: RestartOptions{Policy: "sometimes", Delay: -1, MaxDelay: -1, ResetAfter: -1, MaxFailures: -1,
			Every: -1, At: []TimeOfDay{{24, 0}, {3, 60}}, OnExit: map[int]ExitAction{75: "reboot"}},
		Stop:        StopOptions{Timeout: -time.Second, Signal: "KILL", WindowTimeout: -1},
		Containment: "jail",
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"path is required", `restart policy "sometimes"`, "restart delay -1ns is negative",
		"restart max delay", "restart reset after", "restart max failures -1",
		"stop timeout -1s is negative", "stop window timeout", `stop signal "KILL"`,
		"restart every -1ns is negative", "restart at 24:00: not a time of day", "restart at 3:60",
		`restart on exit 75: action "reboot"`,
		`containment "jail"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestNewCheckDefaults(t *testing.T) {
	probe := func(context.Context) error { return nil }
	argv := []string{"prep", "--x"}
	s, err := New(Options{Path: "x", Health: HealthOptions{Check: probe},
		WaitFor: []Condition{{Name: "tcp db:5432", Probe: probe}, {Probe: probe, Timeout: time.Second}},
		Hooks:   Hooks{PreStart: Hook{Argv: argv}, PostStop: Hook{Argv: []string{}}}})
	if err != nil {
		t.Fatal(err)
	}
	argv[0] = "changed"
	o := s.opts
	if h := o.Health; h.Interval != 10*time.Second || h.Timeout != 5*time.Second || h.StartPeriod != 0 || h.Failures != 3 {
		t.Errorf("health defaults %+v", h)
	}
	if w := o.WaitFor; len(w) != 2 || w[0].Timeout != time.Minute || w[1].Name != "condition 2" || w[1].Timeout != time.Second {
		t.Errorf("wait_for defaults %+v", w)
	}
	if h := o.Hooks; h.PreStart.Argv[0] != "prep" || h.PreStart.Timeout != 30*time.Second || h.PostStop.Argv != nil ||
		h.OnGiveUp.Timeout != 30*time.Second {
		t.Errorf("hooks %+v", h)
	}
	if b := o.Heartbeat; b != (HeartbeatOptions{Interval: time.Minute, Timeout: 10 * time.Second}) {
		t.Errorf("heartbeat defaults %+v", b)
	}
}

func TestNewRejectsBadChecks(t *testing.T) {
	_, err := New(Options{Path: "x",
		Health:    HealthOptions{Interval: -1, Timeout: -1, StartPeriod: -1, Failures: -1},
		WaitFor:   []Condition{{Name: "db", Timeout: -1}},
		Hooks:     Hooks{PreStop: Hook{Argv: []string{""}, Timeout: -1}, OnGiveUp: Hook{Argv: []string{"x"}, Timeout: -1}},
		Heartbeat: HeartbeatOptions{URL: "ftp://hc.example/secret-uuid", Interval: -1, Timeout: -1},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"health interval -1ns is negative", "health timeout", "health start period", "health failures -1",
		"wait for db: probe is required", "wait for db: timeout -1ns is negative",
		"pre_stop hook: empty program name", "pre_stop hook timeout -1ns is negative",
		"give_up hook timeout -1ns is negative", "heartbeat url ftp://hc.example/…: want an http:// or https:// URL",
		"heartbeat interval -1ns is negative", "heartbeat timeout -1ns is negative",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "secret-uuid") {
		t.Errorf("error quotes the heartbeat URL's path:\n%v", err)
	}
}
