package migrate

import (
	"strings"
	"testing"
	"time"
)

// TestQuote: every string becomes one double-quoted scalar; what YAML
// would read differently is escaped. (The wrapper's tests read the
// result back with the wrapper's loader.)
func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`C:\Program Files\x "y"`, `"C:\\Program Files\\x \"y\""`},
		{"# not a comment: {x} [y] &a *b !c | > % @ `", "\"# not a comment: {x} [y] &a *b !c | > % @ `\""},
		{"tab\tnew\nline\rcr", `"tab\tnew\nline\u000dcr"`},
		{"\x00\x1b\x7f\u0085\u2028\u2029\ufeff", `"\u0000\u001b\u007f\u0085\u2028\u2029\ufeff"`},
		{"ünïcödé €", `"ünïcödé €"`},
		{"yes", `"yes"`},
	} {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestRenderComments: the header lists every unmapped setting and note,
// one comment line each, whatever the text holds.
func TestRenderComments(t *testing.T) {
	s := Service{Name: "x", Executable: "x.exe",
		Unmapped: []string{"line one\nline two: not a key", "AppPriority\r\u2028x"}, Notes: []string{"a note"}}
	out := string(Render(s, "Imported by a test\nfrom two lines"))
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "name:") && !strings.HasPrefix(l, "executable:") {
			t.Errorf("a line outside the comments and keys: %q\n%s", l, out)
		}
	}
	for _, want := range []string{"# Imported by a test\n# from two lines\n", "#   - line one line two: not a key\n", "#   - AppPriority  x\n", "#   - a note\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestRenderKeys: only what is set is written, in the reference's order
// and syntax.
func TestRenderKeys(t *testing.T) {
	d := func(v time.Duration) *time.Duration { return &v }
	s := Service{Name: "x", Executable: "x.exe",
		Restart: Restart{Policy: "on-failure", Delay: d(1500 * time.Millisecond), MaxFailures: ptr(0), SuccessExitCodes: []uint32{0, 4294967295}, FatalExitCodes: []uint32{}},
		Stop:    Stop{WindowTimeout: d(0)},
		Log:     Log{MaxSize: ptr(int64(1536)), MaxFiles: ptr(0)},
		SCM:     SCM{Recovery: []time.Duration{}, RecoveryReset: d(24 * time.Hour)},
	}
	want := `
name: "x"
executable: "x.exe"
restart:
  policy: "on-failure"
  delay: 1500ms
  max_failures: 0
  success_exit_codes: [0, 4294967295]
  fatal_exit_codes: []
stop:
  window_timeout: 0s
log:
  max_size: 1536
  max_files: 0
service:
  recovery: []
  recovery_reset: 24h
`
	if got := string(Render(s, "t")); !strings.HasSuffix(got, want) {
		t.Errorf("got:\n%s\nwant the keys:%s", got, want)
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", 90 * time.Second: "90s", 2 * time.Hour: "2h", 5 * time.Minute: "5m",
		1500 * time.Millisecond: "1500ms", time.Microsecond: "1µs"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 1000: "1000", 1024: "1KB", 10 << 20: "10MB", 3 << 30: "3GB", 1536 << 10: "1536KB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPaths: the Windows path rules the log directory check relies on.
func TestPaths(t *testing.T) {
	for _, tt := range []struct {
		dir, p string
		want   bool
	}{
		{`C:\app`, `C:\app\app.exe`, true}, {`C:\APP\`, `c:/app/bin/x.exe`, true}, {`C:\app`, `C:\app`, true},
		{`C:\app`, `C:\application\x.exe`, false}, {`C:\app\logs`, `C:\app\app.exe`, false},
		{`logs`, `logs\x`, false}, {`/srv/app`, `/srv/app/x`, true},
	} {
		if got := holds(tt.dir, tt.p); got != tt.want {
			t.Errorf("holds(%q, %q) = %v", tt.dir, tt.p, got)
		}
	}
	for _, tt := range []struct{ p, dir, file string }{
		{`C:\a\b.log`, `C:\a`, "b.log"}, {`C:\b.log`, `C:\`, "b.log"}, {`b.log`, "", "b.log"}, {`\\srv\share\b.log`, `\\srv\share`, "b.log"}, {`/x/b`, "/x", "b"},
	} {
		if dir, file := winSplit(tt.p); dir != tt.dir || file != tt.file {
			t.Errorf("winSplit(%q) = %q, %q", tt.p, dir, file)
		}
	}
}

// TestValidName: the wrapper's name rule, and how an invalid name is
// written instead.
func TestValidName(t *testing.T) {
	for name, want := range map[string]string{"app": "app", "my.app_2-x": "my.app_2-x", "My Service": "My-Service",
		"_x": "x", "ünï": "n-", "***": "service", strings.Repeat("a", 81): strings.Repeat("a", 80)} {
		var s Service
		s.serviceName(name)
		if s.Name != want || s.OldName != name || (name == want) == (len(s.Unmapped) > 0) {
			t.Errorf("serviceName(%q): %q, unmapped %q; want %q", name, s.Name, s.Unmapped, want)
		}
	}
}
