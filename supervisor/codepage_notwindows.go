//go:build !windows

package supervisor

import "os/exec"

// codePageApplies reports whether Options.ConsoleCodePage means anything
// here: only Windows consoles have code pages.
const codePageApplies = false

// checkCodePage accepts any value: it is ignored (New warns).
func checkCodePage(uint32) error { return nil }

// startChild starts cmd.
func startChild(cmd *exec.Cmd, _ Options) error { return cmd.Start() }
