package migrate

import (
	"slices"
	"testing"
)

// TestNSSMLog: AppStdout/AppStderr become log.dir and file names; the
// rotation settings become max_size; NSSM's rotated files are all kept.
func TestNSSMLog(t *testing.T) {
	tests := []struct {
		name                string
		params              Values
		dir, stdout, stderr string
		maxSize             int64 // 0: not set
		unmapped, note      string
	}{
		{"same folder", Values{"AppStdout": esz(`C:\logs\out.log`), "AppStderr": esz(`C:\logs\err.log`)},
			`C:\logs`, "out.log", "err.log", 0, "", "did not rotate"},
		{"one file", Values{"AppStdout": esz(`C:\logs\all.log`), "AppStderr": esz(`c:\LOGS\all.log`)},
			`C:\logs`, "all.log", "all.log", 0, "", ""},
		{"two folders", Values{"AppStdout": esz(`C:\out\o.log`), "AppStderr": esz(`D:\err\e.log`)},
			`C:\out`, "o.log", `D:\err\e.log`, 0, "", ""},
		{"stdout only", Values{"AppStdout": esz(`C:\logs\out.log`)}, `C:\logs`, "out.log", "", 0, "", "AppStderr is not set"},
		{"stderr to NUL", Values{"AppStdout": esz(`C:\logs\out.log`), "AppStderr": esz("NUL")},
			`C:\logs`, "out.log", "", 0, "AppStderr NUL: a device", ""},
		{"a pipe", Values{"AppStdout": esz(`\\.\pipe\collector`)}, "", "", "", 0, `AppStdout \\.\pipe\collector: a device`, ""},
		{"beside the program", Values{"AppStdout": esz(`C:\Orders\orders.log`)}, `C:\Orders\logs`, "orders.log", "", 0, "", "log.dir: C:\\Orders holds"},
		{"online rotation", Values{"AppStdout": esz(`C:\logs\o.log`), "AppRotateFiles": dword(1), "AppRotateOnline": dword(1), "AppRotateBytes": dword(5 << 20)},
			`C:\logs`, "o.log", "", 5 << 20, "", ""},
		{"rotation at start", Values{"AppStdout": esz(`C:\logs\o.log`), "AppRotateFiles": dword(1), "AppRotateBytes": dword(100)},
			`C:\logs`, "o.log", "", 1024, "", "only when the service started"},
		{"64-bit size", Values{"AppStdout": esz(`C:\logs\o.log`), "AppRotateFiles": dword(1), "AppRotateOnline": dword(1), "AppRotateBytesHigh": dword(1)},
			`C:\logs`, "o.log", "", 1 << 32, "", ""},
		{"rotation by age", Values{"AppStdout": esz(`C:\logs\o.log`), "AppRotateFiles": dword(1), "AppRotateSeconds": dword(3600)},
			`C:\logs`, "o.log", "", 0, "AppRotateSeconds 3600", "at every start"},
		{"truncate", Values{"AppStdout": esz(`C:\logs\o.log`), "AppStdoutCreationDisposition": dword(2)},
			`C:\logs`, "o.log", "", 0, "AppStdoutCreationDisposition 2", ""},
		{"copy and truncate", Values{"AppStderr": esz(`C:\logs\e.log`), "AppStderrCopyAndTruncate": dword(1)},
			`C:\logs`, "", "e.log", 0, "AppStderrCopyAndTruncate 1", "AppStdout is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustNSSM(t, nssmService(tt.params))
			l := s.Log
			if l.Dir != tt.dir || l.Stdout != tt.stdout || l.Stderr != tt.stderr {
				t.Errorf("log %+v; want dir %q, stdout %q, stderr %q", l, tt.dir, tt.stdout, tt.stderr)
			}
			if got := l.MaxSize; tt.maxSize != 0 && (got == nil || *got != tt.maxSize) || tt.maxSize == 0 && got != nil {
				t.Errorf("max_size %v, want %d", got, tt.maxSize)
			}
			if tt.dir != "" && (l.MaxFiles == nil || *l.MaxFiles != 0) {
				t.Errorf("max_files %v: NSSM keeps every rotated file", l.MaxFiles)
			}
			if tt.unmapped != "" && !listed(s.Unmapped, tt.unmapped) || tt.unmapped == "" && len(s.Unmapped) > 0 {
				t.Errorf("unmapped %q, want %q", s.Unmapped, tt.unmapped)
			}
			if tt.note != "" && !listed(s.Notes, tt.note) {
				t.Errorf("notes %q lack %q", s.Notes, tt.note)
			}
		})
	}
	s := mustNSSM(t, nssmService(Values{"AppStdout": esz(`C:\logs\o.log`), "AppTimestampLog": dword(1)}))
	if !s.Log.Timestamps {
		t.Error("AppTimestampLog 1: log.timestamps not set")
	}
}

// TestNSSMServiceKey: the service key's start type, account and
// dependencies.
func TestNSSMServiceKey(t *testing.T) {
	tests := []struct {
		name     string
		values   Values
		mode     string
		account  string
		unmapped string
		note     string
	}{
		{"automatic", Values{"Start": dword(2)}, "", "LocalSystem", "", "service.account: LocalSystem"},
		{"delayed", Values{"Start": dword(2), "DelayedAutostart": dword(1)}, "delayed-auto", "LocalSystem", "", ""},
		{"manual", Values{"Start": dword(3)}, "manual", "LocalSystem", "", ""},
		{"disabled", Values{"Start": dword(4)}, "disabled", "LocalSystem", "", ""},
		{"system start", Values{"Start": dword(1)}, "", "LocalSystem", "Start 1", ""},
		{"LocalService", Values{"ObjectName": sz(`NT AUTHORITY\LocalService`)}, "", `NT AUTHORITY\LocalService`, "", ""},
		{"user", Values{"ObjectName": sz(`.\orders`)}, "", `.\orders`, "", "service.password_env"},
		{"gMSA", Values{"ObjectName": sz(`CORP\orders$`)}, "", `CORP\orders$$`, "", ""},
		{"group", Values{"DependOnGroup": msz("NetworkProvider")}, "", "LocalSystem", "DependOnGroup NetworkProvider", ""},
		{"stray bytes", Values{"DependOnService": msz("RpcSs", "=\\??\\Z:\\\t")}, "", "LocalSystem", `DependOnService entry "=\\??\\Z:\\\t"`, ""},
		{"interactive", Values{"Type": dword(0x110)}, "", "LocalSystem", "interactive service", ""},
		{"recovery actions", Values{"FailureActions": binary()}, "", "LocalSystem", "", "recovery actions are kept by --replace"},
		{"service environment", Values{"Environment": msz("A=1", "B=2")}, "", "LocalSystem", "", "Environment block (2 entries)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := nssmService(nil)
			for n, v := range tt.values {
				k.Service[n] = v
			}
			s := mustNSSM(t, k)
			if s.SCM.StartMode != tt.mode || s.SCM.Account != tt.account {
				t.Errorf("start_mode %q, account %q", s.SCM.StartMode, s.SCM.Account)
			}
			if tt.unmapped != "" && !listed(s.Unmapped, tt.unmapped) || tt.unmapped == "" && len(s.Unmapped) > 0 {
				t.Errorf("unmapped %q, want %q", s.Unmapped, tt.unmapped)
			}
			if tt.note != "" && !listed(s.Notes, tt.note) {
				t.Errorf("notes %q lack %q", s.Notes, tt.note)
			}
		})
	}
	k := nssmService(nil)
	k.Name = "Orders Service"
	k.Service["DependOnService"] = msz("Tcpip", "Afd")
	k.Service["DisplayName"] = sz("Orders\r\n(NSSM)")
	s := mustNSSM(t, k)
	if s.Name != "Orders-Service" || !listed(s.Unmapped, `service name "Orders Service"`) {
		t.Errorf("name %q, unmapped %q", s.Name, s.Unmapped)
	}
	if !slices.Equal(s.SCM.Dependencies, []string{"Tcpip", "Afd"}) || s.DisplayName != "Orders (NSSM)" {
		t.Errorf("dependencies %q, display name %q", s.SCM.Dependencies, s.DisplayName)
	}
}

// TestNSSMHooks: AppEvents hooks the wrapper has become hooks (command
// lines split); the others, and those using NSSM's own variables, are
// listed.
func TestNSSMHooks(t *testing.T) {
	s := mustNSSM(t, nssmComplete())
	h := s.Hooks
	if h.PreStart == nil || !slices.Equal(h.PreStart.Command, []string{`C:\Orders\tools\migrate.exe`, "--up"}) ||
		h.PostStart == nil || !slices.Equal(h.PostStart.Command, []string{`C:\Program Files\Notify\notify.exe`, "started"}) ||
		h.PostStop == nil || !slices.Equal(h.PostStop.Command, []string{`C:\Orders\tools\cleanup.exe`, "--all"}) || h.PreStop != nil {
		t.Errorf("hooks %+v %+v %+v %+v", h.PreStart, h.PostStart, h.PreStop, h.PostStop)
	}
	if *h.PreStart.Timeout != nssmHookTimeout {
		t.Errorf("hook timeout %v", *h.PreStart.Timeout)
	}
	for _, u := range []string{`AppEvents\Stop\Pre: it uses NSSM's hook variables`, `AppEvents\Power\Resume: the wrapper has no hook`, "AppRedirectHook"} {
		if !listed(s.Unmapped, u) {
			t.Errorf("unmapped %q lacks %q", s.Unmapped, u)
		}
	}
	if listed(s.Unmapped, `AppEvents\Rotate\Pre`) {
		t.Errorf("an empty hook is listed: %q", s.Unmapped)
	}
}

// TestNSSMUnmapped: every parameter without an equivalent is listed, and
// one this importer does not know too.
func TestNSSMUnmapped(t *testing.T) {
	s := mustNSSM(t, nssmComplete())
	for _, u := range []string{"AppNoConsole 1", "AppRotateSeconds 86400", "AppRotateDelay 500ms",
		"AppKillProcessTree 0", "AppFrobnicate: not an NSSM parameter", "DependOnGroup", "interactive", "AppExit Ignore"} {
		if !listed(s.Unmapped, u) {
			t.Errorf("unmapped lacks %q:\n%q", u, s.Unmapped)
		}
	}
	if s := mustNSSM(t, nssmService(Values{"AppPriority": dword(0x20), "AppAffinity": sz("All"), "AppNoConsole": dword(0),
		"AppStdin": sz("NUL")})); len(s.Unmapped) > 0 || s.Priority != "" || s.Affinity != "" || s.StdinFile != "" {
		t.Errorf("NSSM's defaults imported: unmapped %q, priority %q, affinity %q, stdin %q", s.Unmapped, s.Priority, s.Affinity, s.StdinFile)
	}
}

// TestNSSMPriorityAffinityStdin: AppPriority becomes priority (realtime as
// high, with a note; an unknown class listed), AppAffinity affinity (a
// list the wrapper cannot read listed), AppStdin a stdin file (a device
// listed).
func TestNSSMPriorityAffinityStdin(t *testing.T) {
	for _, c := range []struct {
		value        uint64
		want, listed string
	}{{0x40, "idle", ""}, {0x4000, "below-normal", ""}, {0x8000, "above-normal", ""}, {0x80, "high", ""},
		{0x100, "high", "AppPriority REALTIME_PRIORITY_CLASS: written as high"}, {7, "", "AppPriority 0x7: not a priority class"}} {
		s := mustNSSM(t, nssmService(Values{"AppPriority": dword(c.value)}))
		if s.Priority != c.want || c.listed != "" && !listed(append(s.Unmapped, s.Notes...), c.listed) {
			t.Errorf("AppPriority %#x: priority %q, want %q; unmapped %q, notes %q", c.value, s.Priority, c.want, s.Unmapped, s.Notes)
		}
	}
	for _, c := range []struct{ value, want string }{{"0-3,8", "0-3,8"}, {"2", "2"}, {"0-", ""}, {"a,b", ""}, {"0 - 3", ""}} {
		s := mustNSSM(t, nssmService(Values{"AppAffinity": sz(c.value)}))
		if s.Affinity != c.want || c.want == "" && !listed(s.Unmapped, "AppAffinity "+c.value+": not a list of CPUs") {
			t.Errorf("AppAffinity %q: affinity %q, want %q; unmapped %q", c.value, s.Affinity, c.want, s.Unmapped)
		}
	}
	if s := mustNSSM(t, nssmService(Values{"AppStdin": esz(`%ORDERS%\input.txt`)})); s.StdinFile != `%ORDERS%\input.txt` {
		t.Errorf("AppStdin: stdin file %q", s.StdinFile)
	}
	if s := mustNSSM(t, nssmService(Values{"AppStdin": sz(`\\.\pipe\in`)})); s.StdinFile != "" || !listed(s.Unmapped, `AppStdin \\.\pipe\in: a device`) {
		t.Errorf("AppStdin pipe: stdin file %q, unmapped %q", s.StdinFile, s.Unmapped)
	}
}
