package termsafe

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
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
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestJSON: what encoding/json leaves raw is escaped, and the
// result still decodes to the same strings.
func TestJSON(t *testing.T) {
	in := map[string]string{"s": "a\x1b[2Jb\x7f\u009b\u202e\tc"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	safe := JSON(b)
	if i := strings.IndexFunc(string(safe), func(r rune) bool { return Unsafe(r) }); i >= 0 {
		t.Errorf("raw control rune at %d in %q", i, safe)
	}
	var out map[string]string
	if err := json.Unmarshal(safe, &out); err != nil || out["s"] != in["s"] {
		t.Errorf("escaped JSON %s decodes to %q, %v; want %q", safe, out["s"], err, in["s"])
	}
}
