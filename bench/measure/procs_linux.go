//go:build linux

package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// poll checks cond every step until it holds or limit passes. The events
// waited for (a line in a file, a process gone that is not our child) have
// nothing to wait on.
func poll(limit, step time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(step)
	}
	return true
}

// cmdRestart starts a wrapper (or the baseline loop) whose child appends its
// start time to a file, and prints the median and spread of the gaps
// between consecutive starts.
func cmdRestart(args []string) error {
	fs := flag.NewFlagSet("restart", flag.ContinueOnError)
	n := fs.Int("n", 200, "gaps to measure")
	file := fs.String("stamps", "", "file the child appends its start times to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, err := startGroup(fs, *file)
	if err != nil {
		return err
	}
	var stamps []int64
	ok := poll(5*time.Minute, 20*time.Millisecond, func() bool {
		stamps = readStamps(*file)
		return len(stamps) > *n
	})
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the baseline loop's child, if any
	if !ok {
		return fmt.Errorf("only %d starts", len(stamps))
	}
	gaps := make([]float64, *n)
	for i := range gaps {
		gaps[i] = float64(stamps[i+1]-stamps[i]) / 1e6
	}
	slices.Sort(gaps)
	fmt.Printf("median_ms=%.3f p10_ms=%.3f p90_ms=%.3f n=%d\n",
		gaps[len(gaps)/2], gaps[len(gaps)/10], gaps[len(gaps)*9/10], len(gaps))
	return nil
}

func readStamps(path string) []int64 {
	b, _ := os.ReadFile(path)
	var out []int64
	for l := range strings.Lines(string(b)) {
		if v, err := strconv.ParseInt(strings.TrimSpace(l), 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// treePids waits for the file gen tree writes and returns its two pids.
func treePids(path string) (child, grandchild int, err error) {
	if !poll(30*time.Second, time.Millisecond, func() bool { _, err := os.Stat(path); return err == nil }) {
		return 0, 0, fmt.Errorf("no %s", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	if _, err := fmt.Sscan(string(b), &child, &grandchild); err != nil {
		return 0, 0, fmt.Errorf("%s: %q: %w", path, b, err)
	}
	return child, grandchild, nil
}

// gone reports whether pid no longer runs; a zombie counts as gone.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}

// cmdStop starts CMD, waits until its child tree is up, sends SIGTERM and
// measures until CMD has exited and the child and grandchild are gone.
func cmdStop(args []string) error {
	fs := flag.NewFlagSet("stop", flag.ContinueOnError)
	file := fs.String("pids", "", "file gen tree writes")
	group := fs.Bool("group", false, "signal CMD's process group (the baseline: CMD is the child)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, err := startGroup(fs, *file)
	if err != nil {
		return err
	}
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	child, grand, err := treePids(*file)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return err
	}
	target := cmd.Process.Pid
	if *group {
		target = -target
	}
	t0 := time.Now()
	if err := syscall.Kill(target, syscall.SIGTERM); err != nil {
		return err
	}
	_ = cmd.Wait()
	exited := time.Since(t0)
	poll(2*time.Second, 100*time.Microsecond, func() bool { return gone(child) && gone(grand) })
	done := time.Since(t0)
	left := 0
	for _, p := range []int{child, grand} {
		if !gone(p) {
			left++
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
	fmt.Printf("exit_ms=%.2f gone_ms=%.2f left=%d\n", ms(exited), ms(done), left)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// startGroup starts the command fs names as the leader of a process group
// of its own, after removing file (what its child tree writes; "" for
// none), so that what is read from file afterwards is this run's.
func startGroup(fs *flag.FlagSet, file string) (*exec.Cmd, error) {
	cmd, err := command(fs)
	if err != nil {
		return nil, err
	}
	if file != "" {
		_ = os.Remove(file)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}
