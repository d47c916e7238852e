//go:build linux

// Command measure runs and times the processes of the benchmarks in
// bench/run.sh, and checks their output (see docs/performance.md). Each
// subcommand prints its result on stdout as "key=value" pairs, one run per
// line, for the script to collect; diagnostics go to stderr.
//
//	measure time -- CMD...             wall=SECONDS of one run (exit 0 required)
//	measure check [-timestamps] -n N PATH
//	                                   the lines of PATH, its backups first
//	                                   (plain or .gz), as gen writes them
//	measure copy OUT -- CMD...         CMD's stdout into OUT the way the
//	                                   wrapper's pump reads it, and nothing
//	                                   else (a baseline)
//	measure loop -n N -- CMD...        run CMD N times in a row (the restart
//	                                   baseline)
//	measure restart -n N -stamps FILE -- CMD...
//	                                   start CMD, wait for N+1 lines in FILE
//	                                   (gen stamp), stop CMD, print the gaps
//	measure idle -for D -pids FILE -- CMD...
//	                                   start CMD, wait for FILE (gen tree),
//	                                   sample CMD's /proc over D
//	measure stop -pids FILE [-group] -- CMD...
//	                                   start CMD, wait for FILE (gen tree),
//	                                   SIGTERM it (its group with -group) and
//	                                   time until it and both pids are gone
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: measure time|check|copy|loop|restart|idle|stop ...")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"time": cmdTime, "check": cmdCheck, "loop": cmdLoop, "copy": cmdCopy,
		"restart": cmdRestart, "idle": cmdIdle, "stop": cmdStop,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "measure: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "measure %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// command returns the command after "--" in a flag set's remaining args.
func command(fs *flag.FlagSet) (*exec.Cmd, error) {
	args := fs.Args()
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("missing command")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd, nil
}

// cmdTime runs a command once and prints its wall time.
func cmdTime(args []string) error {
	fs := flag.NewFlagSet("time", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, err := command(fs)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %w", cmd.Args, err)
	}
	fmt.Printf("wall=%.4f\n", time.Since(t0).Seconds())
	return nil
}

// cmdLoop runs a command n times in a row: the floor that restart latency
// is compared with.
func cmdLoop(args []string) error {
	fs := flag.NewFlagSet("loop", flag.ContinueOnError)
	n := fs.Int("n", 100, "runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for range *n {
		cmd, err := command(fs)
		if err != nil {
			return err
		}
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%v: %w", cmd.Args, err)
		}
	}
	return nil
}
