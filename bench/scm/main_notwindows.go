//go:build !windows

// Command scm times a Windows service's start and stop (see
// main_windows.go); it does nothing elsewhere.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "scm: Windows only (run it under Wine: bench/wine.sh)")
	os.Exit(2)
}
