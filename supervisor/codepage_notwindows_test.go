//go:build !windows

package supervisor

import (
	"log/slog"
	"strings"
	"testing"
)

// TestConsoleCodePageIgnoredWithWarning: no console has a code page here;
// the setting is accepted, so one YAML serves both systems, and New says
// that it is ignored.
func TestConsoleCodePageIgnoredWithWarning(t *testing.T) {
	for _, cp := range []uint32{0, 65001} {
		log := &logBuf{}
		if _, err := New(Options{Path: "x", ConsoleCodePage: cp, Logger: slog.New(slog.NewTextHandler(log, nil))}); err != nil {
			t.Fatalf("New with code page %d: %v", cp, err)
		}
		warned := strings.Contains(log.String(), `level=WARN msg="console code page ignored: only Windows consoles have one" code_page=65001`)
		if warned != (cp != 0) {
			t.Errorf("code page %d: log %q", cp, log.String())
		}
	}
}
