// Command gen is the child process of the benchmarks in bench/run.sh (see
// docs/performance.md). It is a separate small program, rather than the
// wrapper's test binary, so that the child costs the same under the wrapper
// and under each baseline.
//
//	gen lines N [out|err|both [SIZE]]
//	                            N lines of 100 bytes on stdout (default), on
//	                            stderr, or N/2 on each at once, in writes of
//	                            SIZE bytes (65536); exit 0. With
//	                            GEN_STAMPS=FILE in the environment, then
//	                            append "T0 T1 CPU\n" to FILE: CLOCK_MONOTONIC
//	                            in ns when main began writing and after the
//	                            last write, and gen's own CPU time (user +
//	                            system) in ns (measure time -stamps)
//	gen stamp FILE              append the CLOCK_MONOTONIC time in ns and a
//	                            newline to FILE; exit 0
//	gen tree FILE [ignore]      start a grandchild ("gen sleep") in the same
//	                            process group, write "PID GPID\n" to FILE
//	                            (atomically), sleep; with ignore both ignore
//	                            SIGTERM
//	gen sleep [ignore]          sleep until killed
//
// A line is "S NNNNNNNNNN F…F\n": the stream letter (o or e), the sequence
// number from 1 (10 digits), and 86 filler bytes that depend on the number,
// so that bench/measure check can tell a lost, duplicated, split or corrupt
// line from a good one.
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The line layout, shared with bench/measure (which has its own copy).
const (
	lineLen   = 100
	headerLen = 13 // "o 0000000001 "
	alphabet  = "abcdefghijklmnopqrstuvwxyz"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gen lines|stamp|tree|sleep ...")
		os.Exit(2)
	}
	args := os.Args[2:]
	var err error
	switch os.Args[1] {
	case "lines":
		err = lines(args)
	case "stamp":
		err = stamp(args)
	case "tree":
		err = tree(args)
	case "sleep":
		if len(args) > 0 && args[0] == "ignore" {
			signal.Ignore(syscall.SIGTERM)
		}
		for {
			time.Sleep(time.Hour)
		}
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

// lines writes the numbered lines to one stream or both at once.
func lines(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("lines: missing count")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 {
		return fmt.Errorf("lines: bad count %q", args[0])
	}
	mode := "out"
	if len(args) > 1 {
		mode = args[1]
	}
	size := 64 << 10
	if len(args) > 2 {
		if size, err = strconv.Atoi(args[2]); err != nil || size < 1 {
			return fmt.Errorf("lines: bad write size %q", args[2])
		}
	}
	t0 := monotonic()
	if err := writeLines(mode, n, size); err != nil {
		return err
	}
	if path := os.Getenv("GEN_STAMPS"); path != "" {
		return appendLine(path, fmt.Sprintf("%d %d %d", t0, monotonic(), cpuTime()))
	}
	return nil
}

// writeLines writes n lines to the streams mode names, size bytes a write.
func writeLines(mode string, n, size int) error {
	switch mode {
	case "out":
		return write(os.Stdout, 'o', n, size)
	case "err":
		return write(os.Stderr, 'e', n, size)
	case "both":
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = write(os.Stdout, 'o', n/2, size) })
		wg.Go(func() { errs[1] = write(os.Stderr, 'e', n-n/2, size) })
		wg.Wait()
		if errs[0] != nil {
			return errs[0]
		}
		return errs[1]
	}
	return fmt.Errorf("lines: bad stream %q", mode)
}

// write writes lines 1..n of stream s to f in writes of size bytes (by
// default 64 KiB, a pipe's default capacity; a program's stdio on a pipe
// writes 4 KiB), formatting the digits by hand: the generator must not be
// the bottleneck of what it measures.
func write(f *os.File, s byte, n, size int) error {
	filler := alphabet
	for len(filler) < lineLen+len(alphabet) {
		filler += alphabet
	}
	w := bufio.NewWriterSize(f, size)
	var line [lineLen]byte
	line[0], line[1], line[headerLen-1], line[lineLen-1] = s, ' ', ' ', '\n'
	for i := 1; i <= n; i++ {
		v := i
		for d := headerLen - 2; d >= 2; d-- {
			line[d] = byte('0' + v%10)
			v /= 10
		}
		k := i % len(alphabet)
		copy(line[headerLen:lineLen-1], filler[k:])
		if _, err := w.Write(line[:]); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// stamp appends the monotonic clock to a file: one line per child start.
func stamp(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("stamp: missing file")
	}
	now := monotonic() // first thing: the start, not the exit, is measured
	if err := appendLine(args[0], strconv.FormatInt(now, 10)); err != nil {
		return fmt.Errorf("stamp: %w", err)
	}
	return nil
}

// appendLine appends line and a newline to the file at path, creating it.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// tree starts a grandchild in its own process group, publishes both pids
// and sleeps.
func tree(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("tree: missing file")
	}
	ignore := len(args) > 1 && args[1] == "ignore"
	if ignore {
		signal.Ignore(syscall.SIGTERM)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("tree: %w", err)
	}
	gc := exec.Command(self, "sleep")
	if ignore {
		gc.Args = append(gc.Args, "ignore")
	}
	if err := gc.Start(); err != nil {
		return fmt.Errorf("tree: %w", err)
	}
	tmp := args[0] + ".tmp"
	data := fmt.Sprintf("%d %d\n", os.Getpid(), gc.Process.Pid)
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		return fmt.Errorf("tree: %w", err)
	}
	if err := os.Rename(tmp, filepath.Clean(args[0])); err != nil {
		return fmt.Errorf("tree: %w", err)
	}
	for {
		time.Sleep(time.Hour)
	}
}
