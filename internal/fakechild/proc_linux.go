package fakechild

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// ProcStatus returns the value of line key of /proc/<pid>/status, its
// fields joined by one space: what a child was given (its ids, groups,
// processors). The test fails when the file cannot be read or has no such
// line.
func ProcStatus(t testing.TB, pid int, key string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	t.Fatalf("/proc/%d/status has no %s", pid, key)
	return ""
}
