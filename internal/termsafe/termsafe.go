// Package termsafe escapes what a terminal would act on rather than show:
// text that reaches an admin's terminal from an account weaker than the
// admin (a child's stderr, a status file in a directory the service
// account writes, another host's wrapper) must not retitle the window,
// clear the screen, forge rows or reorder text.
package termsafe

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// String escapes what a terminal would act on rather than show, in
// C style: C0 controls and DEL as \xNN (an escape sequence can
// retitle the window, clear the screen or rewrite earlier rows; a line
// break could forge a row), with \t, \n and \r spelled so; bytes that are
// not UTF-8 as \xNN (a lone 0x9b is CSI to a terminal in 8-bit mode); and
// the C1 controls and bidirectional controls, which reorder or hide text,
// as \uNNNN. Backslashes stay as they are, so Windows paths read normally.
func String(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || Unsafe(r) })
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case Unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// Unsafe reports the runes String escapes: C0, DEL, C1, the line
// and paragraph separators and the bidirectional controls.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, 0x7f <= r && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, 0x2028 <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// JSON escapes, in JSON that encoding/json wrote, the runes
// it leaves raw but a terminal acts on (DEL, C1 and bidirectional
// controls) as \uNNNN. encoding/json already escapes C0 controls and
// replaces invalid UTF-8; these runes can only stand inside strings, where
// \uNNNN means the same rune.
func JSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x20 && Unsafe(r) }) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r >= 0x20 && Unsafe(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[:n])
		}
		b = b[n:]
	}
	return out.Bytes()
}
