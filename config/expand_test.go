package config

import (
	"strings"
	"testing"
)

// expandTests run with BASE=/srv/app, NAME=svc, env entries DEFINED=early
// and SHADOWED=env, and the process environment of TestExpand.
var expandTests = []struct {
	in, want string
	fold     bool
	err      string
}{
	{in: "plain", want: "plain"},
	{in: "", want: ""},
	{in: "${BASE}/bin", want: "/srv/app/bin"},
	{in: "${NAME}.log", want: "svc.log"},
	{in: "%BASE%\\bin", want: "/srv/app\\bin"},
	{in: "${HOME}", want: "/home/u"},
	{in: "${DEFINED}-${SHADOWED}", want: "early-env"},
	{in: "%DEFINED%", want: "early"},
	{in: "a${HOME}b${NAME}c", want: "a/home/ubsvcc"},
	{in: "${DOLLAR}", want: "$HOME"}, // values are not expanded again
	{in: "$$", want: "$"},
	{in: "$$HOME", want: "$HOME"},
	{in: "$${HOME}", want: "${HOME}"},
	{in: "$$$$", want: "$$"},
	{in: "cost $5", want: "cost $5"},
	{in: "end$", want: "end$"},
	{in: "a $ b", want: "a $ b"},
	{in: "%UNDEFINED%", want: "%UNDEFINED%"},
	{in: "100%", want: "100%"},
	{in: "%%", want: "%%"},
	{in: "50% and %HOME%", want: "50% and /home/u"}, // "% and " is not a name
	{in: "%UNDEFINED%HOME%", want: "%UNDEFINED/home/u"},
	{in: "%ProgramFiles(x86)%\\app", want: "C:\\PF86\\app"},
	{in: "%HOME", want: "%HOME"},
	{in: "%A=B%", want: "%A=B%"},
	{in: "${NOPE}", err: "undefined variable ${NOPE}"},
	{in: "ok ${HOME} ${NOPE}", err: "undefined variable ${NOPE}"},
	{in: "${", err: "unterminated ${"},
	{in: "${HOME", err: "unterminated ${"},
	{in: "${}", err: "invalid reference ${}"},
	{in: "${1X}", err: "invalid reference ${1X}"},
	{in: "${A:-x}", err: "invalid reference ${A:-x}"},
	{in: "${ HOME }", err: "invalid reference"},
	{in: "$HOME", err: "$HOME is not expanded: write ${HOME}, or $$ for a literal $"},
	{in: "x$_y1.z", err: "$_y1 is not expanded"},
	// Case rules follow the OS: names are case-insensitive on Windows.
	{in: "${base}", err: "undefined variable ${base}"},
	{in: "${base}", want: "/srv/app", fold: true},
	{in: "%defined%", want: "%defined%"},
	{in: "%defined%", want: "early", fold: true},
	{in: "${name}", want: "svc", fold: true},
}

func TestExpand(t *testing.T) {
	process := mapEnv(map[string]string{
		"HOME":              "/home/u",
		"Path":              "C:\\bin",
		"ProgramFiles(x86)": "C:\\PF86",
		"DOLLAR":            "$HOME",
		"BASE":              "process-base",
		"SHADOWED":          "process",
	})
	for _, tt := range expandTests {
		x := newExpander("/srv/app", "svc", tt.fold, process)
		x.define("DEFINED", "early")
		x.define("SHADOWED", "env")
		got, err := x.expand(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expand(%q, fold=%v) = %q, %v; want error containing %q", tt.in, tt.fold, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expand(%q, fold=%v) = %q, %v; want %q", tt.in, tt.fold, got, err, tt.want)
		}
	}
}

// The built-ins win over env entries and the process environment.
func TestExpandBuiltinsWin(t *testing.T) {
	x := newExpander("/b", "n", false, mapEnv(map[string]string{"NAME": "process"}))
	x.define("NAME", "entry")
	x.define("BASE", "entry")
	got, err := x.expand("${BASE}:${NAME}")
	if err != nil || got != "/b:n" {
		t.Errorf("expand = %q, %v; want /b:n", got, err)
	}
}
