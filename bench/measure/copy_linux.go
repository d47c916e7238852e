//go:build linux

package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// copyPipeSize is the supervisor's pipe (pipeSize in
// supervisor/process_linux.go); copyReadSize is the pump's read (readSize
// in logrotate/pump.go); copyBigRead and copyYieldAfter are its yield
// (bigRead and yieldAfter in logrotate/yield.go).
const (
	copyPipeSize   = 1 << 20
	copyReadSize   = 1 << 20
	copyBigRead    = 16 << 10
	copyYieldAfter = 5 * time.Millisecond
)

// cmdCopy is the Go floor of the throughput benchmark: CMD's stdout through
// a pipe made as the supervisor makes it (blocking, outside the poller,
// 1 MiB) into OUT, read as the pump reads once the child is ahead (1 MiB
// into a page-aligned buffer, written up to the last newline, a yield
// after a large read every 5 ms), with nothing else: no rotation, no
// supervisor, no start-up of a service. What the wrapper costs above this
// is its own; what this costs above cat is Go's.
func cmdCopy(args []string) error {
	fs := flag.NewFlagSet("copy", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return fmt.Errorf("usage: measure copy OUT -- CMD...")
	}
	out, err := os.Create(fs.Arg(0))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd, err := command(flagArgs(fs.Args()[1:]))
	if err != nil {
		return err
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("pipe2: %w", err)
	}
	_, _ = unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, copyPipeSize)
	r, w := os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1")
	cmd.Stdout = w
	err = cmd.Start()
	w.Close()
	if err != nil {
		return err
	}
	buf := make([]byte, 2*copyReadSize)
	tail := 0 // buf[copyReadSize-tail:copyReadSize] holds a partial line
	var yielded time.Time
	for {
		n, rerr := r.Read(buf[copyReadSize:])
		if n >= copyBigRead {
			if now := time.Now(); now.Sub(yielded) >= copyYieldAfter {
				runtime.Gosched()
				yielded = now
			}
		}
		data := buf[copyReadSize-tail : copyReadSize+n]
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 && rerr == nil {
			if _, err := out.Write(data[:i+1]); err != nil {
				return err
			}
			data = data[i+1:]
		}
		if rerr != nil || len(data) >= copyReadSize { // the end, or a line longer than a read
			if _, err := out.Write(data); err != nil {
				return err
			}
			data = nil
		}
		if rerr != nil {
			break
		}
		tail = copy(buf[copyReadSize-len(data):copyReadSize], data)
	}
	return cmd.Wait()
}

// flagArgs wraps args in a FlagSet for command.
func flagArgs(args []string) *flag.FlagSet {
	fs := flag.NewFlagSet("cmd", flag.ContinueOnError)
	_ = fs.Parse(append([]string{"--"}, args...))
	return fs
}
