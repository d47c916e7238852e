package wrapper

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wrapper-dev/wrapper/internal/statusfile"
	"github.com/wrapper-dev/wrapper/internal/termsafe"
)

// rawControl returns the first byte or rune of s that a terminal would act
// on (C0 but the newlines between rows, DEL, C1, bidi controls, bytes that
// are not UTF-8), and whether there is one.
func rawControl(s string) (string, bool) {
	for i, r := range s {
		if r == '\n' {
			continue
		}
		if (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\ufffd")) || termsafe.Unsafe(r) {
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
