package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// cmdTrace runs a wrapper built with -tags starttrace once and prints the
// times of its marks (internal/starttrace) since just before the fork, as
// LABEL=MS in the order they came, then exit= (the wrapper's main
// returned) and waited= (its exit reaped here). The wrapper's other
// stderr lines are dropped.
func cmdTrace(args []string) error {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, err := command(fs)
	if err != nil {
		return err
	}
	cmd.Stderr = nil
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	var t0 unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &t0)
	cmd.Env = append(os.Environ(), "WRAPPER_STARTTRACE_T0="+strconv.FormatInt(t0.Nano(), 10))
	if err := cmd.Start(); err != nil {
		return err
	}
	var marks []string
	sc := bufio.NewScanner(errPipe)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "starttrace" {
			marks = append(marks, f[1]+"="+f[2])
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%v: %w", cmd.Args, err)
	}
	var t1 unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &t1)
	if len(marks) == 0 {
		return fmt.Errorf("no marks: was %s built with -tags starttrace?", cmd.Path)
	}
	fmt.Printf("%s waited=%.3f\n", strings.Join(marks, " "), float64(t1.Nano()-t0.Nano())/1e6)
	return nil
}
