//go:build !linux

// Command measure runs the benchmarks' measurements; it reads /proc and so
// works on Linux only (see main.go).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "measure: Linux only")
	os.Exit(2)
}
