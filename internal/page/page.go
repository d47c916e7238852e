// Package page renders the wrapper's small server-side HTML pages: one
// layout (no script, a meta refresh, inline CSS), inline SVG charts and
// the formatting helpers they share. The per-wrapper status page is
// Status; a page for many wrappers (the fleet view) defines its own body
// with New and reuses the layout, the charts and Funcs.
package page

import (
	"fmt"
	"html/template"
	"io"
	"time"
)

// layout is the page around every body: the "title" and "body" templates
// are the page's own. Refresh (seconds) reloads the page without any
// script; 0 leaves it out.
const layout = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{with .Refresh}}<meta http-equiv="refresh" content="{{.}}">{{end}}
<title>{{template "title" .}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.3em;margin:0 0 .6em}h2{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse}td,th{padding:.15em .8em .15em 0;text-align:left;vertical-align:top}
th{font-weight:600;color:#555}
.ok{color:#176f2c}.bad{color:#b3261e}.warn{color:#8a5a00}
pre{background:#f5f5f5;padding:.6em;overflow:auto;max-height:20em;font-size:12px}
.chart{display:inline-block;margin-right:2em}.chart svg{display:block;background:#fafafa;border:1px solid #ddd}
.muted{color:#777;font-size:.9em}form{display:inline}
</style>
</head>
<body>
{{template "body" .}}
</body>
</html>
`

// New parses body (which defines the "title" and "body" templates) into
// the layout, with Funcs. The data executed must have a Refresh field
// (int, seconds; 0 = no refresh).
func New(name, body string) (*template.Template, error) {
	t, err := template.New(name).Funcs(Funcs()).Parse(layout)
	if err != nil {
		return nil, fmt.Errorf("page layout: %w", err)
	}
	if _, err := t.Parse(body); err != nil {
		return nil, fmt.Errorf("page %s: %w", name, err)
	}
	return t, nil
}

// Funcs are the helpers page bodies use: duration (rounded for people),
// bytes (binary units), clock (a time as 15:04:05 UTC) and since (the
// duration from a time to now, "" for the zero time).
func Funcs() template.FuncMap {
	return template.FuncMap{
		"duration": Duration,
		"bytes":    Bytes,
		"clock":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
		"since": func(t time.Time, now time.Time) string {
			if t.IsZero() {
				return ""
			}
			return Duration(now.Sub(t))
		},
	}
}

// Render executes t with data into w.
func Render(w io.Writer, t *template.Template, data any) error {
	if err := t.Execute(w, data); err != nil {
		return fmt.Errorf("render page %s: %w", t.Name(), err)
	}
	return nil
}

// Duration renders d for people: 3d 4h, 2h 5m, 4m 10s, 12s, 250ms.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// Bytes renders n in binary units: 512 B, 1.5 KiB, 20.0 MiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
