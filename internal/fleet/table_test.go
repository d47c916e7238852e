package fleet

import (
	"strings"
	"testing"
)

// TestWriteTableEscapes: what the registry or another host's wrapper says
// cannot act on the reader's terminal (retitle it, clear it, forge rows).
func TestWriteTableEscapes(t *testing.T) {
	var b strings.Builder
	rows := []Row{{Host: "h\x1b]0;pwned\x07", ID: "svc\nforged", Service: "svc", State: "running\x1b[2J",
		Health: "passing", Source: SourceRegistry, StatusError: "bad\x9b", Note: "n\u202e"}}
	if err := WriteTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"\x1b", "\x07", "svc\nforged", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("the table holds %q raw:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `h\x1b]0;pwned\x07`) {
		t.Errorf("the host is not shown escaped:\n%s", out)
	}
}
