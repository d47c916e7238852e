package page

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Point is one value of a chart; Missing leaves a gap (a minute without a
// sample). Title is the tooltip of its bar or dot.
type Point struct {
	Value   float64
	Missing bool
	Title   string
}

// Chart sizes, in CSS pixels.
const (
	chartWidth  = 360
	chartHeight = 80
)

// Bars draws points as a bar chart, one bar per point, scaled to the
// largest value (at least 1, so a single restart is not a full bar), as an
// inline SVG element. label is the chart's accessible name.
func Bars(label string, points []Point) template.HTML {
	top := 1.0
	for _, p := range points {
		if !p.Missing {
			top = math.Max(top, p.Value)
		}
	}
	var b strings.Builder
	open(&b, label)
	w := float64(chartWidth) / float64(max(len(points), 1))
	for i, p := range points {
		if p.Missing || p.Value <= 0 {
			continue
		}
		h := p.Value / top * (chartHeight - 2)
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#b3261e"><title>%s</title></rect>`,
			float64(i)*w+0.5, chartHeight-h, math.Max(w-1, 1), h, html.EscapeString(p.Title))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // numbers and escaped titles only
}

// Line draws points as a line (segments across gaps are not drawn), with
// a dot at every point, scaled between 0 and the largest value, as an
// inline SVG element.
func Line(label string, points []Point) template.HTML {
	top := 0.0
	for _, p := range points {
		if !p.Missing {
			top = math.Max(top, p.Value)
		}
	}
	if top == 0 {
		top = 1
	}
	var b strings.Builder
	open(&b, label)
	step := float64(chartWidth) / float64(max(len(points)-1, 1))
	var path strings.Builder
	pen := false
	for i, p := range points {
		if p.Missing {
			pen = false
			continue
		}
		x, y := float64(i)*step, chartHeight-2-p.Value/top*(chartHeight-6)
		cmd := "L"
		if !pen {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x, y)
		pen = true
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="1.8" fill="#1a5fb4"><title>%s</title></circle>`,
			x, y, html.EscapeString(p.Title))
	}
	if path.Len() > 0 {
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#1a5fb4" stroke-width="1.5"/>`, strings.TrimSpace(path.String()))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // numbers and escaped titles only
}

// open writes the svg start tag with its accessible name.
func open(b *strings.Builder, label string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d">`,
		html.EscapeString(label), chartWidth, chartHeight, chartWidth, chartHeight)
}
