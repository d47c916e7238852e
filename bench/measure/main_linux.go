//go:build linux

// Command measure runs and times the processes of the benchmarks in
// bench/run.sh, and checks their output (see docs/performance.md). Each
// subcommand prints its result on stdout as "key=value" pairs, one run per
// line, for the script to collect; diagnostics go to stderr.
//
//	measure time [-stamps FILE] -- CMD...
//	                                   wall=SECONDS of one run (exit 0
//	                                   required), cpu=SECONDS (user +
//	                                   system, reaped descendants
//	                                   included) and maxrss_kb (the
//	                                   largest of CMD and what it reaped);
//	                                   with -stamps, gen's GEN_STAMPS
//	                                   times split it into pre= write=
//	                                   post= (ms), and gen_cpu=SECONDS is
//	                                   gen's own share of cpu
//	measure check [-timestamps] -n N PATH
//	                                   the lines of PATH, its backups first
//	                                   (plain or .gz; never both), as
//	                                   gen writes them; compressed= and
//	                                   plain= count the backups
//	measure copy OUT -- CMD...         CMD's stdout into OUT the way the
//	                                   wrapper's pump reads it, and nothing
//	                                   else (a baseline)
//	measure loop -n N -- CMD...        run CMD N times in a row (the restart
//	                                   baseline)
//	measure restart -n N -stamps FILE -- CMD...
//	                                   start CMD, wait for N+1 lines in FILE
//	                                   (gen stamp), stop CMD, print the gaps
//	measure many -n N -for D [-after D] -pids PATTERN -- CMD...
//	                                   start N copies of CMD ("{}" in an
//	                                   argument or PATTERN becomes the
//	                                   copy's number, as wide as N), wait
//	                                   for every PATTERN file (gen tree),
//	                                   sample all their processes over D,
//	                                   from -after (1s) on
//	measure idle -for D [-after D] -pids FILE -- CMD...
//	                                   start CMD, wait for FILE (gen tree),
//	                                   sample CMD's /proc over D, from
//	                                   -after (1s) on
//	measure trace -- CMD...            run a wrapper built with -tags
//	                                   starttrace once: LABEL=MS for each
//	                                   mark since the fork, waited=MS
//	measure stop -pids FILE [-group] -- CMD...
//	                                   start CMD, wait for FILE (gen tree),
//	                                   SIGTERM it (its group with -group) and
//	                                   time until it and both pids are gone
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: measure time|check|copy|loop|restart|idle|many|stop|trace ...")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"time": cmdTime, "check": cmdCheck, "loop": cmdLoop, "copy": cmdCopy,
		"restart": cmdRestart, "idle": cmdIdle, "stop": cmdStop, "many": cmdMany, "trace": cmdTrace,
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

// cmdTime runs a command once and prints its wall time. With -stamps, the
// command's gen appends when it began and ended writing (GEN_STAMPS), and
// the run is split into its phases: pre (until gen's main began writing:
// the host's start-up, fork and exec, gen's own Go start-up), write, and
// post (after gen's last write: its exit, the host draining, closing and
// exiting). The file is removed first, so it holds this run's times only.
func cmdTime(args []string) error {
	fs := flag.NewFlagSet("time", flag.ContinueOnError)
	stamps := fs.String("stamps", "", "gen's GEN_STAMPS file: print the run's phases")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, err := command(fs)
	if err != nil {
		return err
	}
	if *stamps != "" {
		if err := os.Remove(*stamps); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		cmd.Env = append(os.Environ(), "GEN_STAMPS="+*stamps)
	}
	start := monotonic()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %w", cmd.Args, err)
	}
	end := monotonic()
	// The rusage of a reaped child includes the children it reaped itself:
	// for a wrapper, its child and its reaper too; its maximum RSS is the
	// largest of theirs, the wrapper's own in practice.
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	var maxrss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxrss = ru.Maxrss
	}
	fmt.Printf("wall=%.6f cpu=%.6f maxrss_kb=%d", time.Duration(end-start).Seconds(), cpu.Seconds(), maxrss)
	if *stamps != "" {
		b, err := os.ReadFile(*stamps)
		if err != nil {
			return fmt.Errorf("stamps: %w", err)
		}
		var w0, w1, gcpu int64
		if n, _ := fmt.Sscan(string(b), &w0, &w1, &gcpu); n != 3 {
			return fmt.Errorf("stamps: %s holds %q, want \"T0 T1 CPU\"", *stamps, b)
		}
		fmt.Printf(" pre=%.3f write=%.3f post=%.3f gen_cpu=%.6f",
			ms(time.Duration(w0-start)), ms(time.Duration(w1-w0)), ms(time.Duration(end-w1)),
			time.Duration(gcpu).Seconds())
	}
	fmt.Println()
	return nil
}

// monotonic returns CLOCK_MONOTONIC in nanoseconds, gen's clock.
func monotonic() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
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
