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
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \| (.+) \|$`).FindAllStringSubmatch(string(b), -1) {
		code, _ := strconv.Atoi(m[1])
		readme[code] = m[2]
	}
	_, usage, _ := runMain(t, "help")
	for i, c := range exitCodes {
		if c.code != i {
			t.Errorf("exitCodes[%d] is code %d: keep them in order, without gaps", i, c.code)
		}
		if got, ok := readme[c.code]; !ok || got != c.meaning {
			t.Errorf("README.md, exit code %d: %q, want %q", c.code, got, c.meaning)
		}
		delete(readme, c.code)
		if !strings.Contains(usage, strconv.Itoa(c.code)+"  "+strings.ReplaceAll(c.meaning, "`", "")) {
			t.Errorf("usage lacks exit code %d", c.code)
		}
	}
	for code, meaning := range readme {
		t.Errorf("README.md documents exit code %d (%q), which the wrapper does not define", code, meaning)
	}
	if got := noRestartCodes(); len(got) != 3 || got[0] != ExitUsage || got[1] != ExitChildFailed || got[2] != ExitGaveUp {
		t.Errorf("noRestartCodes() = %v, want [2 3 4]", got)
	}
}
