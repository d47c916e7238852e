// Command wrapper turns any program into a supervised service: it starts the
// program described by a YAML file, restarts it per policy, stops its whole
// process tree gracefully and writes its output into rotated log files.
// See README.md for usage.
package main

import (
	"os"

	"github.com/wrapper-dev/wrapper/wrapper"
)

func main() {
	os.Exit(wrapper.Main(os.Args[1:], os.Stdout, os.Stderr))
}
