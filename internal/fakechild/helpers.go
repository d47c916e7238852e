package fakechild

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// builtins returns the built-in helpers (see the package documentation).
func builtins() map[string]Func {
	return map[string]Func{
		"echo":            func(args []string) int { return lines(os.Stdout, args) },
		"stderr":          func(args []string) int { return lines(os.Stderr, args) },
		"exit":            exitHelper,
		"hang":            hang,
		"ignore-term":     ignoreTerm,
		"grandchild":      grandchild,
		"orphan":          orphan,
		"double-fork":     doubleFork,
		"flood":           flood,
		"longline":        longline,
		"env":             func([]string) int { return lines(os.Stdout, os.Environ()) },
		"cwd":             cwd,
		"write-then-exit": writeThenExit,
		"write-bytes":     writeBytes,
		"alloc":           alloc,
		"burn":            burn,
		"serve":           serve,
		"post":            post,
		"cat":             cat,
	}
}

// lines writes each of ss as a line to f.
func lines(f *os.File, ss []string) int {
	w := bufio.NewWriter(f)
	for _, s := range ss {
		w.WriteString(s)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: %v\n", err)
		return 1
	}
	return 0
}

// count parses the helper's first argument as a non-negative number.
func count(helper string, args []string) (int, bool) {
	if len(args) == 0 {
		fmt.Fprintf(os.Stderr, "fakechild: %s: missing number\n", helper)
		return 0, false
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "fakechild: %s: bad number %q\n", helper, args[0])
		return 0, false
	}
	return n, true
}

func exitHelper(args []string) int {
	n, ok := count("exit", args)
	if !ok {
		return 2
	}
	lines(os.Stdout, args[1:])
	return n
}

// sleepForever blocks until the process is killed. A bare select{} would
// crash the process: with no other goroutine the runtime calls it deadlock.
func sleepForever() int {
	for {
		time.Sleep(time.Hour)
	}
}

func hang(args []string) int {
	lines(os.Stdout, args)
	return sleepForever()
}

func ignoreTerm([]string) int {
	signal.Ignore(syscall.SIGTERM, os.Interrupt)
	lines(os.Stdout, []string{"ready"})
	return sleepForever()
}

// grandchild starts a grandchild that inherits stdout and stderr, so that
// it holds the parent's output pipes open, prints its pid and hangs. The
// arguments are described in the package documentation.
func grandchild(args []string) int {
	cmd, err := startGrandchild("grandchild", args)
	if err != nil {
		return 2
	}
	lines(os.Stdout, []string{strconv.Itoa(cmd.Process.Pid)})
	return sleepForever()
}

// orphan starts a grandchild in a session of its own, prints its pid and
// exits without waiting for it.
func orphan(args []string) int {
	cmd, err := startGrandchild("orphan", append([]string{"setsid"}, args...))
	if err != nil {
		return 2
	}
	return lines(os.Stdout, []string{strconv.Itoa(cmd.Process.Pid)})
}

// doubleFork runs orphan as its child, which shares its output, waits for
// it and hangs: the grandchild orphan started is then an orphan whose
// original parent is gone while this process still runs.
func doubleFork(args []string) int {
	path, argv, env, err := Spec("orphan", args...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: double-fork: %v\n", err)
		return 2
	}
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: double-fork: %v\n", err)
		return 2
	}
	lines(os.Stdout, []string{"orphaned"})
	return sleepForever()
}

// startGrandchild starts the grandchild of helper name: "hang", or
// "ignore-term" when args hold it, sharing stdout and stderr; "detach" in
// args puts it in a process group of its own, "setsid" in a session of its
// own. A failure is reported on stderr.
func startGrandchild(name string, args []string) (*exec.Cmd, error) {
	helper := "hang"
	var attr *syscall.SysProcAttr
	for _, a := range args {
		switch a {
		case "ignore-term":
			helper = a
		case "detach":
			attr = detached()
		case "setsid":
			attr = newSession()
		default:
			fmt.Fprintf(os.Stderr, "fakechild: %s: unknown argument %q\n", name, a)
			return nil, errors.New("bad argument")
		}
	}
	path, argv, env, err := Spec(helper)
	if err == nil {
		cmd := exec.Command(path, argv...)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.SysProcAttr = attr
		if err = cmd.Start(); err == nil {
			return cmd, nil
		}
	}
	fmt.Fprintf(os.Stderr, "fakechild: %s: %v\n", name, err)
	return nil, err
}

func flood(args []string) int {
	n, ok := count("flood", args)
	if !ok {
		return 2
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "line %d\n", i)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: flood: %v\n", err)
		return 1
	}
	return 0
}

func longline(args []string) int {
	n, ok := count("longline", args)
	if !ok {
		return 2
	}
	return lines(os.Stdout, []string{strings.Repeat("x", n)})
}

func cwd([]string) int {
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: cwd: %v\n", err)
		return 1
	}
	return lines(os.Stdout, []string{dir})
}

func writeThenExit(args []string) int {
	text := "partial"
	if len(args) > 0 {
		text = args[0]
	}
	if _, err := os.Stdout.WriteString(text); err != nil {
		return 1
	}
	return 0
}

// cat copies stdin to stdout.
func cat([]string) int {
	if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: cat: %v\n", err)
		return 1
	}
	return 0
}

// writeBytes writes each argument, hex-decoded, with one write call: the
// test decides where the output is cut between writes.
func writeBytes(args []string) int {
	for _, a := range args {
		b, err := hex.DecodeString(a)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fakechild: write-bytes: %v\n", err)
			return 2
		}
		if _, err := os.Stdout.Write(b); err != nil {
			return 1
		}
	}
	return 0
}
