package migrate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	utf16pkg "unicode/utf16"
)

// winswXML wraps elements in a <service> with an id and an executable.
func winswXML(elements string) []byte {
	return []byte("<service>\n<id>app</id>\n<executable>%BASE%\\app.exe</executable>\n" + elements + "\n</service>\n")
}

// mustWinSW imports data with the YAML beside the XML in C:\svc.
func mustWinSW(t *testing.T, data []byte) Service {
	t.Helper()
	s, err := WinSW(data, WinSWOptions{Dir: `C:\svc`, BaseName: "app", ConfigDir: `C:\svc`})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWinSWErrors(t *testing.T) {
	for _, tt := range []struct{ name, xml, want string }{
		{"not XML", "id: app", "EOF"},
		{"another root", "<config><id>x</id></config>", "root element is <config>"},
		{"no id", "<service><executable>x.exe</executable></service>", "<id> is missing"},
		{"no executable", "<service><id>x</id></service>", "<executable> is missing"},
		{"broken", "<service><id>x</id><executable>x</service>", "XML syntax error"},
	} {
		if _, err := WinSW([]byte(tt.xml), WinSWOptions{Dir: `C:\svc`}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

// TestWinSWOnFailure: the <onfailure> sequence becomes the restart policy,
// the give-up point and the SCM's recovery of the wrapper.
func TestWinSWOnFailure(t *testing.T) {
	s10, s20, m1 := 10*time.Second, 20*time.Second, time.Minute
	tests := []struct {
		name        string
		xml         string
		policy      string
		delay, max  *time.Duration
		maxFailures *int
		recovery    []time.Duration
		unmapped    string
	}{
		{"none given", "", "never", nil, nil, nil, []time.Duration{}, ""},
		{"first is none", `<onfailure action="none"/><onfailure action="restart"/>`, "never", nil, nil, nil, []time.Duration{}, ""},
		{"first is reboot", `<onfailure action="reboot"/>`, "never", nil, nil, nil, []time.Duration{}, "reboot"},
		{"restart, no delay", `<onfailure action="restart"/>`, "on-failure", dur(0), nil, ptr(0), []time.Duration{0}, ""},
		{"growing, last repeats", `<onfailure action="restart" delay="10 sec"/><onfailure action="restart" delay="20 sec"/><onfailure action="restart" delay="1 min"/>`,
			"on-failure", &s10, &m1, ptr(0), []time.Duration{s10, s20, m1}, ""},
		{"then none", `<onfailure action="restart" delay="10 sec"/><onfailure action="restart" delay="20 sec"/><onfailure action="none"/>`,
			"on-failure", &s10, &s20, ptr(3), []time.Duration{}, ""},
		{"then reboot", `<onfailure action="restart" delay="10 sec"/><onfailure action="reboot"/>`,
			"on-failure", &s10, nil, ptr(2), []time.Duration{}, "does not reboot"},
		{"bad action", `<onfailure action="retry"/><onfailure action="restart" delay="10 sec"/>`, "on-failure", &s10, nil, ptr(0), []time.Duration{s10}, `action="retry"`},
		{"bad delay", `<onfailure action="restart" delay="soon"/>`, "on-failure", dur(0), nil, ptr(0), []time.Duration{0}, `delay="soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustWinSW(t, winswXML(tt.xml))
			r := s.Restart
			eq := func(a, b *time.Duration) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
			if r.Policy != tt.policy || !eq(r.Delay, tt.delay) || !eq(r.MaxDelay, tt.max) ||
				(r.MaxFailures == nil) != (tt.maxFailures == nil) || r.MaxFailures != nil && *r.MaxFailures != *tt.maxFailures {
				t.Errorf("restart %+v", r)
			}
			if !slices.Equal(s.SCM.Recovery, tt.recovery) || s.SCM.Recovery == nil {
				t.Errorf("recovery %v, want %v", s.SCM.Recovery, tt.recovery)
			}
			if tt.unmapped != "" && !listed(s.Unmapped, tt.unmapped) || tt.unmapped == "" && len(s.Unmapped) > 0 {
				t.Errorf("unmapped %q, want %q", s.Unmapped, tt.unmapped)
			}
			if tt.policy != "never" && *r.ResetAfter != 24*time.Hour {
				t.Errorf("reset_after %v, want WinSW's default 1 day", *r.ResetAfter)
			}
		})
	}
	s := mustWinSW(t, winswXML(`<onfailure action="restart"/><resetfailure>1 hour</resetfailure>`))
	if *s.Restart.ResetAfter != time.Hour || *s.SCM.RecoveryReset != time.Hour {
		t.Errorf("resetfailure: reset_after %v, recovery_reset %v", *s.Restart.ResetAfter, s.SCM.RecoveryReset)
	}
}

// TestWinSWExpansion: %BASE% is ${BASE} beside the XML and the XML's
// folder elsewhere; %SERVICE_ID% is ${NAME}; other variables stay for the
// wrapper; $ is doubled where the wrapper expands; names take the values.
func TestWinSWExpansion(t *testing.T) {
	xml := winswXML(`<name>%SERVICE_ID% in %BASE%</name><arguments>%BASE%\x "%OTHER%" $5</arguments>` +
		`<env name="HOME" value="%BASE%\home"/><env name="ID" value="%SERVICE_ID%"/><depend>%SERVICE_ID%-db</depend>`)
	beside := mustWinSW(t, xml)
	if beside.Executable != `${BASE}\app.exe` || !slices.Equal(beside.Arguments, []string{`${BASE}\x`, "%OTHER%", "$$5"}) ||
		beside.DisplayName != `app in C:\svc` || !slices.Equal(beside.SCM.Dependencies, []string{"app-db"}) ||
		!slices.Equal(beside.Env, []EnvVar{{"HOME", `${BASE}\home`}, {"ID", "${NAME}"}}) || beside.WorkingDirectory != "" {
		t.Errorf("beside the XML: %+v", beside)
	}
	if !listed(beside.Notes, "arguments: WinSW expanded") {
		t.Errorf("notes %q: an argument with %%OTHER%% is noted", beside.Notes)
	}
	away, err := WinSW(xml, WinSWOptions{Dir: `C:\svc$1`, BaseName: "app", ConfigDir: `D:\wrapper`})
	if err != nil {
		t.Fatal(err)
	}
	if away.Executable != `C:\svc$$1\app.exe` || away.WorkingDirectory != `C:\svc$$1` || away.DisplayName != `app in C:\svc$1` {
		t.Errorf("elsewhere: executable %q, working_directory %q, display_name %q", away.Executable, away.WorkingDirectory, away.DisplayName)
	}
}

// TestWinSWPassword: a password in the XML never reaches the YAML; the
// account does, with advice; 2.x's parts are joined.
func TestWinSWPassword(t *testing.T) {
	for _, f := range []string{"winsw2-complete.xml", "winsw3-complete.xml"} {
		data, err := os.ReadFile(filepath.Join(fixtures, f))
		if err != nil {
			t.Fatal(err)
		}
		s := mustWinSW(t, data)
		out := string(Render(s, f))
		if strings.Contains(out, "Pa55w0rd") || strings.Contains(out, "secret-in-the-XML") || strings.Contains(out, "password:") {
			t.Errorf("%s: the password reached the YAML:\n%s", f, out)
		}
		if !listed(s.Unmapped, "<password>: a password never goes in the YAML", "service.password_env") {
			t.Errorf("%s: unmapped %q", f, s.Unmapped)
		}
	}
	for _, tt := range []struct{ xml, account string }{
		{`<serviceaccount><domain>NT AUTHORITY</domain><user>LocalService</user><password>x</password></serviceaccount>`, `NT AUTHORITY\LocalService`},
		{`<serviceaccount><user>LocalSystem</user></serviceaccount>`, "LocalSystem"},
		{`<serviceaccount><user>bob</user></serviceaccount>`, `.\bob`},
		{`<serviceaccount><domain>CORP</domain><user>gmsa$</user></serviceaccount>`, `CORP\gmsa$$`},
		{`<serviceaccount><username>bob@corp.example</username></serviceaccount>`, "bob@corp.example"},
	} {
		s := mustWinSW(t, winswXML(tt.xml))
		if s.SCM.Account != tt.account || listed(s.Unmapped, "password") {
			t.Errorf("%s: account %q, unmapped %q", tt.xml, s.SCM.Account, s.Unmapped)
		}
	}
}

// TestWinSWUnknown: elements this importer does not know, at the top and
// inside the elements it reads, are listed; none is dropped in silence.
func TestWinSWUnknown(t *testing.T) {
	s := mustWinSW(t, winswXML(`<frobnicate>1</frobnicate><log mode="roll-by-size"><sizeThreshold>64</sizeThreshold><keepfiles>2</keepfiles></log>`+
		`<serviceaccount><username>LocalSystem</username><group>x</group></serviceaccount><prestart><executable>x.exe</executable><timeout>5</timeout></prestart>`))
	for _, u := range []string{"<frobnicate>: not a WinSW element", "<log><keepfiles>", "<serviceaccount><group>", "<prestart><timeout>"} {
		if !listed(s.Unmapped, u) {
			t.Errorf("unmapped %q lacks %q", s.Unmapped, u)
		}
	}
	if *s.Log.MaxFiles != winswKeepFiles || *s.Log.MaxSize != 64<<10 {
		t.Errorf("log %+v: keepfiles (lower case) is not keepFiles", s.Log)
	}
}

// TestWinSWDuration: WinSW's time spans.
func TestWinSWDuration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{{"1500", 1500 * time.Millisecond}, {"250ms", 250 * time.Millisecond}, {"10 sec", 10 * time.Second}, {"10secs", 10 * time.Second},
		{" 2 min ", 2 * time.Minute}, {"3 mins", 3 * time.Minute}, {"1 hr", time.Hour}, {"2 hrs", 2 * time.Hour}, {"1 hour", time.Hour},
		{"4 hours", 4 * time.Hour}, {"1 day", 24 * time.Hour}, {"7 days", 7 * 24 * time.Hour}} {
		if got, err := duration(tt.in); err != nil || got != tt.want {
			t.Errorf("duration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "soon", "1.5 sec", "-1 sec", "10 s", "10 SEC"} {
		if _, err := duration(bad); err == nil {
			t.Errorf("duration(%q) accepted", bad)
		}
	}
}

// TestWinSWEncodings: files as Windows editors save them: UTF-8 with a
// byte order mark, UTF-16 (both byte orders), Windows-1252 and ISO-8859-1
// declared; an encoding Go cannot read is refused with advice.
func TestWinSWEncodings(t *testing.T) {
	text := "<service><id>app</id><executable>app.exe</executable><description>Café – 5€ ÿ</description></service>"
	utf16 := func(bigEndian bool, s string) []byte {
		var b []byte
		for _, u := range append([]uint16{0xfeff}, utf16Encode(s)...) {
			if bigEndian {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return b
	}
	cp1252 := []byte("<?xml version=\"1.0\" encoding=\"windows-1252\"?><service><id>app</id><executable>app.exe</executable>" +
		"<description>Caf\xe9 \x96 5\x80 \xff</description></service>")
	latin1 := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><service><id>app</id><executable>app.exe</executable>" +
		"<description>Caf\xe9 \x96 5\x80 \xff</description></service>")
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"UTF-8 with BOM", append([]byte("\xef\xbb\xbf"), text...), "Café – 5€ ÿ"},
		{"UTF-16LE", utf16(false, `<?xml version="1.0" encoding="UTF-16"?>`+text), "Café – 5€ ÿ"},
		{"UTF-16BE", utf16(true, text), "Café – 5€ ÿ"},
		{"Windows-1252", cp1252, "Café – 5€ ÿ"},
		{"ISO-8859-1", latin1, "Café \u0096 5\u0080 ÿ"},
	} {
		s, err := WinSW(tt.data, WinSWOptions{Dir: `C:\svc`, BaseName: "app"})
		if err != nil || s.Description != tt.want {
			t.Errorf("%s: description %q, %v; want %q", tt.name, s.Description, err, tt.want)
		}
	}
	_, err := WinSW([]byte(`<?xml version="1.0" encoding="shift_jis"?><service/>`), WinSWOptions{Dir: `C:\svc`})
	if err == nil || !strings.Contains(err.Error(), "save the file as UTF-8") {
		t.Errorf("an unknown encoding: %v", err)
	}
}

// utf16Encode is utf16.Encode of a string.
func utf16Encode(s string) []uint16 { return utf16pkg.Encode([]rune(s)) }

// TestWinSWPriority: <priority> becomes priority, in WinSW's spellings
// (ProcessPriorityClass names, any case); realtime is written as high
// with a note, and a name WinSW would not know is listed.
func TestWinSWPriority(t *testing.T) {
	for _, c := range []struct{ xml, want, listed string }{
		{"Idle", "idle", ""}, {"BelowNormal", "below-normal", ""}, {"abovenormal", "above-normal", ""},
		{"High", "high", ""}, {"RealTime", "high", "<priority>RealTime: written as high"}, {"Normal", "", ""},
		{"urgent", "", "<priority>urgent: not a priority class"}} {
		s := mustWinSW(t, winswXML("<priority>"+c.xml+"</priority>"))
		if s.Priority != c.want || c.listed != "" && !listed(append(s.Unmapped, s.Notes...), c.listed) {
			t.Errorf("<priority>%s: priority %q, want %q; unmapped %q, notes %q", c.xml, s.Priority, c.want, s.Unmapped, s.Notes)
		}
	}
}
