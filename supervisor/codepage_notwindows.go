//go:build !windows

package supervisor

// codePageApplies reports whether Options.ConsoleCodePage means anything
// here: only Windows consoles have code pages.
const codePageApplies = false

// checkCodePage accepts any value: it is ignored (New warns).
func checkCodePage(uint32) error { return nil }
