package migrate

import (
	"slices"
	"testing"
	"time"
)

// TestNSSMExit: AppExit's default and per-code actions become the restart
// policy and its exit code lists.
func TestNSSMExit(t *testing.T) {
	tests := []struct {
		name     string
		exit     Values
		policy   string
		success  []uint32
		unmapped string // a line of Unmapped contains it
		note     string // a line of Notes contains it
	}{
		{"no AppExit key: Restart", nil, "always", nil, "", ""},
		{"default Restart", Values{"": sz("Restart")}, "always", nil, "", ""},
		{"case-insensitive", Values{"": sz("restart"), "0": sz("EXIT")}, "on-failure", []uint32{0}, "", ""},
		{"Restart, 0 Exit", Values{"": sz("Restart"), "0": sz("Exit")}, "on-failure", []uint32{0}, "", ""},
		{"Restart, codes Exit and Ignore", Values{"": sz("Restart"), "0": sz("Exit"), "3": sz("Ignore"), "0x10": sz("Exit")},
			"on-failure", []uint32{0, 3, 16}, "AppExit Ignore", ""},
		{"Restart, code Suicide", Values{"": sz("Restart"), "2": sz("Suicide")}, "always", nil, "", "AppExit Suicide"},
		{"default Exit", Values{"": sz("Exit")}, "never", nil, "", ""},
		{"default Exit, code Restart", Values{"": sz("Exit"), "3": sz("Restart"), "4": sz("Suicide")}, "never", nil, "AppExit 3, 4: Restart", ""},
		{"default Ignore", Values{"": sz("Ignore")}, "never", nil, "AppExit Ignore", ""},
		{"default Suicide: 0 exits", Values{"": sz("Suicide")}, "on-failure", []uint32{0}, "", "AppExit Suicide"},
		{"default Suicide, 0 Suicide", Values{"": sz("Suicide"), "0": sz("Suicide")}, "always", nil, "", "AppExit Suicide"},
		{"not an action", Values{"": sz("Reboot")}, "always", nil, `AppExit\ "Reboot": not an NSSM action`, ""},
		{"not a code", Values{"": sz("Restart"), "x": sz("Exit")}, "always", nil, `AppExit\x: not an exit code`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := nssmService(nil)
			k.Exit = tt.exit
			s := mustNSSM(t, k)
			if s.Restart.Policy != tt.policy || !slices.Equal(s.Restart.SuccessExitCodes, tt.success) {
				t.Errorf("policy %q, success %v; want %q, %v", s.Restart.Policy, s.Restart.SuccessExitCodes, tt.policy, tt.success)
			}
			if (tt.unmapped == "") != (len(s.Unmapped) == 0) || tt.unmapped != "" && !listed(s.Unmapped, tt.unmapped) {
				t.Errorf("unmapped %q, want a line with %q", s.Unmapped, tt.unmapped)
			}
			if tt.note != "" && !listed(s.Notes, tt.note) {
				t.Errorf("notes %q, want a line with %q", s.Notes, tt.note)
			}
			if tt.policy != "never" && (s.Restart.MaxFailures == nil || *s.Restart.MaxFailures != 0) {
				t.Errorf("max_failures %v: NSSM never gives up", s.Restart.MaxFailures)
			}
		})
	}
}

// TestNSSMRestartDelays: AppRestartDelay and AppThrottle.
func TestNSSMRestartDelays(t *testing.T) {
	tests := []struct {
		name                   string
		params                 Values
		delay, maxDelay, reset time.Duration
	}{
		{"defaults", nil, time.Second, 128 * time.Second, 1500 * time.Millisecond},
		{"restart delay", Values{"AppRestartDelay": dword(5000)}, 5 * time.Second, 128 * time.Second, 1500 * time.Millisecond},
		{"long restart delay", Values{"AppRestartDelay": dword(600000)}, 10 * time.Minute, 10 * time.Minute, 1500 * time.Millisecond},
		{"throttle", Values{"AppThrottle": dword(30000)}, time.Second, 128 * time.Second, 30 * time.Second},
		{"throttle 0", Values{"AppThrottle": dword(0)}, time.Second, 128 * time.Second, time.Millisecond},
	}
	for _, tt := range tests {
		s := mustNSSM(t, nssmService(tt.params))
		r := s.Restart
		if *r.Delay != tt.delay || *r.MaxDelay != tt.maxDelay || *r.ResetAfter != tt.reset {
			t.Errorf("%s: delay %v, max_delay %v, reset_after %v", tt.name, *r.Delay, *r.MaxDelay, *r.ResetAfter)
		}
	}
}

// TestNSSMStopMethods: AppStopMethodSkip's bits and the per-step waits.
func TestNSSMStopMethods(t *testing.T) {
	tests := []struct {
		name            string
		params          Values
		timeout, window time.Duration
		unmapped        []string
	}{
		{"defaults", nil, 1500 * time.Millisecond, 1500 * time.Millisecond, nil},
		{"waits", Values{"AppStopMethodConsole": dword(20000), "AppStopMethodWindow": dword(3000)}, 20 * time.Second, 3 * time.Second, nil},
		{"no Ctrl-C", Values{"AppStopMethodSkip": dword(1)}, 0, 1500 * time.Millisecond, []string{"AppStopMethodSkip 1"}},
		{"no WM_CLOSE", Values{"AppStopMethodSkip": dword(2)}, 1500 * time.Millisecond, 0, nil},
		{"WM_QUIT wait set", Values{"AppStopMethodThreads": dword(4000)}, 1500 * time.Millisecond, 1500 * time.Millisecond, []string{"AppStopMethodThreads 4s"}},
		{"WM_QUIT skipped", Values{"AppStopMethodSkip": dword(4), "AppStopMethodThreads": dword(4000)}, 1500 * time.Millisecond, 1500 * time.Millisecond, nil},
		{"no terminate", Values{"AppStopMethodSkip": dword(15)}, 0, 0, []string{"AppStopMethodSkip 1", "AppStopMethodSkip 8"}},
		{"one process only", Values{"AppKillProcessTree": dword(0)}, 1500 * time.Millisecond, 1500 * time.Millisecond, []string{"AppKillProcessTree 0"}},
		{"not a DWORD", Values{"AppStopMethodConsole": sz("20000")}, 1500 * time.Millisecond, 1500 * time.Millisecond, []string{"AppStopMethodConsole: not a REG_DWORD"}},
	}
	for _, tt := range tests {
		s := mustNSSM(t, nssmService(tt.params))
		if *s.Stop.Timeout != tt.timeout || *s.Stop.WindowTimeout != tt.window {
			t.Errorf("%s: timeout %v, window_timeout %v", tt.name, *s.Stop.Timeout, *s.Stop.WindowTimeout)
		}
		if len(s.Unmapped) != len(tt.unmapped) {
			t.Errorf("%s: unmapped %q, want %q", tt.name, s.Unmapped, tt.unmapped)
		}
		for _, u := range tt.unmapped {
			if !listed(s.Unmapped, u) {
				t.Errorf("%s: unmapped %q lacks %q", tt.name, s.Unmapped, u)
			}
		}
	}
}

// TestNSSMStrings: REG_EXPAND_SZ keeps its %VAR% for the wrapper to
// expand; REG_SZ, which NSSM took literally, is noted; a literal $ is
// written $$; quotes around paths go, as NSSM strips them.
func TestNSSMStrings(t *testing.T) {
	s := mustNSSM(t, nssmService(Values{
		"Application":   esz(`"%ProgramFiles%\App$\app.exe"`),
		"AppParameters": sz(`--home %APP_HOME% --price $5`),
		"AppDirectory":  esz(`%ProgramData%\App`),
	}))
	want := []string{`%ProgramFiles%\App$$\app.exe`, `%ProgramData%\App`}
	if s.Executable != want[0] || s.WorkingDirectory != want[1] || !slices.Equal(s.Arguments, []string{"--home", "%APP_HOME%", "--price", "$$5"}) {
		t.Errorf("executable %q, working_directory %q, arguments %q", s.Executable, s.WorkingDirectory, s.Arguments)
	}
	if !listed(s.Notes, "AppParameters is REG_SZ") || listed(s.Notes, "Application is REG_SZ") || listed(s.Notes, "AppDirectory is REG_SZ") {
		t.Errorf("notes %q: want AppParameters alone noted as REG_SZ", s.Notes)
	}
	if !listed(s.Notes, "arguments: NSSM expanded") {
		t.Errorf("notes %q: an argument with %%VAR%% is noted", s.Notes)
	}
}

// TestNSSMEnv: AppEnvironment then AppEnvironmentExtra, in order; a name
// repeated (in any case) is one entry, whose reference to itself takes the
// earlier value.
func TestNSSMEnv(t *testing.T) {
	s := mustNSSM(t, nssmService(Values{
		"AppEnvironment":      msz(`PATH=C:\Windows`, `A=1`),
		"AppEnvironmentExtra": msz(`Path=C:\bin;%PATH%`, `B=$x=y`, `EMPTY=`, `NOEQUALS`, `=C:=C:\`, `WITH SPACE=1`),
	}))
	want := []EnvVar{{"PATH", `C:\bin;C:\Windows`}, {"A", "1"}, {"B", "$$x=y"}, {"EMPTY", ""}}
	if !slices.Equal(s.Env, want) {
		t.Errorf("env %q, want %q", s.Env, want)
	}
	for _, u := range []string{`"NOEQUALS": not KEY=VALUE`, `"=C:=C:\\"`, `"WITH SPACE=1"`} {
		if !listed(s.Unmapped, u) {
			t.Errorf("unmapped %q lacks %q", s.Unmapped, u)
		}
	}
	if !listed(s.Notes, "AppEnvironment replaced the whole environment") {
		t.Errorf("notes %q", s.Notes)
	}
}
