package migrate

import (
	"slices"
	"testing"

	"golang.org/x/sys/windows"
)

// TestSplitMatchesWindows: the portable rules give what CommandLineToArgvW
// gives (under Wine in `make test-windows`, its reimplementation). The
// arguments are checked behind a program name, which CommandLineToArgvW
// parses by other rules.
func TestSplitMatchesWindows(t *testing.T) {
	for _, tt := range splitCases {
		argv, err := windows.DecomposeCommandLine("prog " + tt.line)
		if err != nil {
			t.Fatalf("DecomposeCommandLine(%q): %v", tt.line, err)
		}
		if got := SplitArgs(tt.line); !slices.Equal(got, argv[1:]) && !(len(got) == 0 && len(argv) == 1) {
			t.Errorf("SplitArgs(%q) = %q; CommandLineToArgvW: %q", tt.line, got, argv[1:])
		}
	}
	for _, tt := range commandCases {
		if tt.line == "" || tt.line[0] == ' ' {
			continue // CommandLineToArgvW gives the executable's own path for "", and "" for a leading blank
		}
		argv, err := windows.DecomposeCommandLine(tt.line)
		if err != nil {
			t.Fatalf("DecomposeCommandLine(%q): %v", tt.line, err)
		}
		if got := SplitCommand(tt.line); !slices.Equal(got, argv) {
			t.Errorf("SplitCommand(%q) = %q; CommandLineToArgvW: %q", tt.line, got, argv)
		}
	}
}
