package wrapper

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestExitCodesMatchReadme: README.md's exit-code table lists exactly the
// codes of exitCodes, each with the same meaning, and the usage text shows
// every one.
func TestExitCodesMatchReadme(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := map[int]string{}
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \| (.+) \| (.+) \|$`).FindAllStringSubmatch(string(b), -1) {
		code, _ := strconv.Atoi(m[1])
		readme[code] = m[2] + " | " + m[3]
	}
	_, usage, _ := runMain(t, "help")
	for i, c := range exitCodes {
		if c.code != i {
			t.Errorf("exitCodes[%d] is code %d: keep them in order, without gaps", i, c.code)
		}
		if got, want := readme[c.code], c.meaning+" | "+c.restart; got != want {
			t.Errorf("README.md, exit code %d: %q, want %q", c.code, got, want)
		}
		delete(readme, c.code)
		if !strings.Contains(usage, strconv.Itoa(c.code)+"  "+strings.ReplaceAll(c.meaning, "`", "")) {
			t.Errorf("usage lacks exit code %d", c.code)
		}
	}
	for code, meaning := range readme {
		t.Errorf("README.md documents exit code %d (%q), which the wrapper does not define", code, meaning)
	}
}

// TestServiceOutcomes pins the outcome table: which ends of a service run
// the service manager answers with a restart, and what the SCM is told so
// that its recovery actions follow the same table (the SCM runs them for a
// stop with a non-zero win32 exit code; Wine never runs them, so this is
// tested below the OS call).
func TestServiceOutcomes(t *testing.T) {
	tests := []struct {
		code     int
		restarts bool
		specific bool
		reported uint32
	}{
		{ExitOK, false, false, 0},
		{ExitError, true, true, ExitError},
		{ExitUsage, false, false, 0},
		{ExitChildFailed, false, false, 0},
		{ExitGaveUp, true, true, ExitGaveUp},
		{99, true, true, 99}, // not ours: a crash
	}
	for _, tt := range tests {
		if got := managerRestarts(tt.code); got != tt.restarts {
			t.Errorf("managerRestarts(%d) = %v, want %v", tt.code, got, tt.restarts)
		}
		if spec, code := scmExit(tt.code); spec != tt.specific || code != tt.reported {
			t.Errorf("scmExit(%d) = %v, %d; want %v, %d", tt.code, spec, code, tt.specific, tt.reported)
		}
	}
	if got := noRestartCodes(); len(got) != 2 || got[0] != ExitUsage || got[1] != ExitChildFailed {
		t.Errorf("noRestartCodes() = %v, want [2 3] (systemd's RestartPreventExitStatus=)", got)
	}
}
