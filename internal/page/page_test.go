package page

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestUnits(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Bytes(512), "512 B"}, {Bytes(1536), "1.5 KiB"}, {Bytes(20 << 20), "20.0 MiB"}, {Bytes(3 << 30), "3.0 GiB"},
		{Duration(250 * time.Millisecond), "250ms"}, {Duration(12 * time.Second), "12s"},
		{Duration(4*time.Minute + 10*time.Second), "4m 10s"}, {Duration(2*time.Hour + 5*time.Minute), "2h 5m"},
		{Duration(76 * time.Hour), "3d 4h"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestChartsEscapeAndScale: titles are escaped, bars scale to the largest
// value, gaps draw nothing, and the numbers are finite.
func TestChartsEscapeAndScale(t *testing.T) {
	bars := string(Bars(`a"b`, []Point{{Value: 1, Title: "<x>"}, {Value: 0}, {Value: 4, Title: "four"}, {Missing: true}}))
	if strings.Count(bars, "<rect") != 2 || strings.Contains(bars, "<x>") || !strings.Contains(bars, "&lt;x&gt;") ||
		!strings.Contains(bars, `aria-label="a&#34;b"`) || !strings.Contains(bars, `height="78.0"`) {
		t.Errorf("bars: %s", bars)
	}
	line := string(Line("m", []Point{{Value: 2}, {Missing: true}, {Value: 1}, {Value: 3}}))
	if strings.Count(line, "<circle") != 3 || !strings.Contains(line, `d="M0.0 `) || strings.Count(line, "M") != 2 ||
		strings.Contains(line, "NaN") || strings.Contains(line, "Inf") {
		t.Errorf("line: %s", line)
	}
	if empty := string(Line("m", nil)); strings.Contains(empty, "<path") || strings.Contains(empty, "NaN") {
		t.Errorf("empty line: %s", empty)
	}
}

// TestStatusPageEscapes: the stderr tail and the service name are text,
// whatever they hold.
func TestStatusPageEscapes(t *testing.T) {
	var b bytes.Buffer
	err := RenderStatus(&b, Status{Refresh: 10, Now: time.Now(), Service: "svc<i>", State: "running", PID: 7,
		StderrTail: []string{`</pre><script>alert(1)</script>`}, Restarts: 2,
		ByReason: []ReasonCount{{"crash", 2}, {"limit", 0}}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>") || strings.Contains(out, "svc<i>") || !strings.Contains(out, "&lt;/pre&gt;&lt;script&gt;") ||
		!strings.Contains(out, `<span class="reason">crash 2</span>`) || strings.Contains(out, "limit 0") ||
		!strings.Contains(out, `<meta http-equiv="refresh" content="10">`) {
		t.Errorf("page:\n%s", out)
	}
}
