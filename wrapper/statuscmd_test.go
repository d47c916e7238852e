package wrapper

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

func TestTerminalSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, C:\\Program Files\\app", "plain text, C:\\Program Files\\app"},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\x07title`},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"a\tb", `a\tb`},
		{"row\nforged: row\r", `row\nforged: row\r`},
		{"del\x7f nul\x00", `del\x7f nul\x00`},
		{"lone \x9b byte", `lone \x9b byte`},
		{"c1 \u009b[31m", `c1 \u009b[31m`},
		{"bidi \u202eevil\u2066", `bidi \u202eevil\u2066`},
		{"héllo → ✓ \ufffd", "héllo → ✓ \ufffd"},
	}
	for _, tt := range tests {
		if got := terminalSafe(tt.in); got != tt.want {
			t.Errorf("terminalSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestJSONTerminalSafe: what encoding/json leaves raw is escaped, and the
// result still decodes to the same strings.
func TestJSONTerminalSafe(t *testing.T) {
	in := map[string]string{"s": "a\x1b[2Jb\x7f\u009b\u202e\tc"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	safe := jsonTerminalSafe(b)
	if i := strings.IndexFunc(string(safe), func(r rune) bool { return unsafeRune(r) }); i >= 0 {
		t.Errorf("raw control rune at %d in %q", i, safe)
	}
	var out map[string]string
	if err := json.Unmarshal(safe, &out); err != nil || out["s"] != in["s"] {
		t.Errorf("escaped JSON %s decodes to %q, %v; want %q", safe, out["s"], err, in["s"])
	}
}

// rawControl returns the first byte or rune of s that a terminal would act
// on (C0 but the newlines between rows, DEL, C1, bidi controls, bytes that
// are not UTF-8), and whether there is one.
func rawControl(s string) (string, bool) {
	for i, r := range s {
		if r == '\n' {
			continue
		}
		if (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\ufffd")) || unsafeRune(r) {
			return s[i:min(len(s), i+8)], true
		}
	}
	return "", false
}

// TestStatusFallbackRecycledPid: with no control endpoint answering,
// status reads the status file; a file naming a live pid whose process
// started at another time than recorded (the pid was given to another
// process after the wrapper exited) is "not running", exit 6.
func TestStatusFallbackRecycledPid(t *testing.T) {
	start, ok := statusfile.ProcessStart(os.Getpid())
	if !ok {
		t.Skip("no process start time on this platform: the pid alone decides")
	}
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, dir, "svc.yaml", "name: svc\nexecutable: "+strconv.Quote(exe)+"\n")
	if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		start uint64
		code  int
		want  string
	}{
		{start, ExitOK, "running, pid " + strconv.Itoa(os.Getpid())},
		{start + 1, ExitNotRunning, "not running (pid " + strconv.Itoa(os.Getpid())},
	} {
		f := statusfile.File{Service: "svc", WrapperPID: os.Getpid(), WrapperStart: tt.start, State: "running", Updated: time.Now()}
		if err := statusfile.WriteJSON(statusfile.Path(filepath.Join(dir, "logs"), "svc"), f); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runMain(t, "status", "--config", cfg)
		if code != tt.code || !strings.Contains(out, "wrapper:     "+tt.want) {
			t.Errorf("status file with start time %d (ours %d): exit %d, want %d and %q\n%s%s",
				tt.start, start, code, tt.code, tt.want, out, errOut)
		}
	}
}
