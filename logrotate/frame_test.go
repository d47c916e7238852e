package logrotate

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestFrame(t *testing.T) {
	tests := []struct {
		name, stamp, in, want string
		limit                 int
	}{
		{"whole lines", "T ", "ab\ncd\n", "T ab\nT cd\n", 4},
		{"last line without newline", "T ", "ab\ncd", "T ab\nT cd\n", 4},
		{"empty lines", "T ", "\n\n", "T \nT \n", 4},
		{"a line of exactly limit", "T ", "abcd\n", "T abcd\n", 4},
		{"long lines in pieces", "T ", "abcdefghij\nk", "T abcd\nT efgh\nT ij\nT k\n", 4},
		{"a long last line", "T ", "abcdefghi", "T abcd\nT efgh\nT i\n", 4},
		{"no stamp", "", "abcdefg\nhi", "abc\ndef\ng\nhi\n", 3},
		{"bytes other than newline pass", "", "a\r\x00\xff\n", "a\r\x00\xff\n", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rest := frame([]byte("kept"), []byte(tt.in), []byte(tt.stamp), tt.limit)
			if got := string(out); got != "kept"+tt.want || len(rest) != 0 {
				t.Errorf("frame(%q) = %q, rest %q; want %q", tt.in, got, rest, "kept"+tt.want)
			}
		})
	}
}

// frameRef is frame without the flushAt bound, line by line: what the
// output of repeated frame calls must add up to.
func frameRef(data, stamp string, limit int) string {
	var b strings.Builder
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	for _, line := range lines {
		for {
			piece := line[:min(len(line), limit)]
			b.WriteString(stamp + piece + "\n")
			if line = line[len(piece):]; line == "" {
				break
			}
		}
	}
	return b.String()
}

// TestFrameStopsAtFlushAt frames more than flushAt, lines of every length
// and lines longer than limit among them, and checks that every call stops
// at a whole line once its output reaches flushAt, mid-way through a long
// line included, and that the calls add up to the whole.
func TestFrameStopsAtFlushAt(t *testing.T) {
	const limit = 100 << 10
	stamp := string(appendStamp(nil, time.Date(2026, 12, 7, 22, 30, 1, 956e6, time.UTC)))
	rng := rand.New(rand.NewPCG(1, 2))
	var in strings.Builder
	for in.Len() < 3*flushAt {
		n := rng.IntN(200)
		if rng.IntN(50) == 0 {
			n = limit + rng.IntN(3*limit)
		}
		in.WriteString(strings.Repeat(string(rune('a'+rng.IntN(26))), n) + "\n")
	}
	in.WriteString("partial")
	var got bytes.Buffer
	calls := 0
	for rest := []byte(in.String()); len(rest) > 0; calls++ {
		var out []byte
		out, rest = frame(nil, rest, []byte(stamp), limit)
		if len(out) == 0 || out[len(out)-1] != '\n' {
			t.Fatalf("call %d: output does not end a line", calls)
		}
		if len(rest) > 0 && (len(out) < flushAt || len(out) >= flushAt+len(stamp)+limit+1) {
			t.Fatalf("call %d stopped at %d bytes, want the first line end at or after %d", calls, len(out), flushAt)
		}
		got.Write(out)
	}
	if calls < 3 {
		t.Errorf("%d calls, want one per flushAt", calls)
	}
	if want := frameRef(in.String(), stamp, limit); got.String() != want {
		t.Errorf("framed %d bytes in %d calls, want the %d bytes of one pass", got.Len(), calls, len(want))
	}
}
