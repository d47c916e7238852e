// Command scm times a Windows service's start and stop through the service
// control manager, for bench/wine.sh (run under Wine; see
// docs/performance.md):
//
//	scm NAME EXE PIDFILE REPS
//
// It creates service NAME for EXE, then REPS times starts it and waits for
// PIDFILE (written by the service's child, bench/gen tree), and stops it and
// waits for STOPPED, polling every millisecond; it prints one line per run,
// "start_ms=… stop_ms=…", and deletes the service.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: scm NAME EXE PIDFILE REPS")
		os.Exit(2)
	}
	reps, _ := strconv.Atoi(os.Args[4])
	if err := run(os.Args[1], os.Args[2], os.Args[3], reps); err != nil {
		fmt.Fprintf(os.Stderr, "scm: %v\n", err)
		os.Exit(1)
	}
}

func run(name, exe, pidfile string, reps int) error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer m.Disconnect()
	if old, err := m.OpenService(name); err == nil { // left by an aborted run
		_, _ = old.Control(svc.Stop)
		_ = old.Delete()
		old.Close()
	}
	s, err := m.CreateService(name, exe, mgr.Config{StartType: mgr.StartManual, DisplayName: name})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	defer func() { _ = s.Delete(); s.Close() }()
	for range reps {
		_ = os.Remove(pidfile)
		t0 := time.Now()
		if err := s.Start(); err != nil {
			return fmt.Errorf("start: %w", err)
		}
		if !poll(func() bool { _, err := os.Stat(pidfile); return err == nil }) {
			return errors.New("the child did not start")
		}
		start := time.Since(t0)
		t0 = time.Now()
		if _, err := s.Control(svc.Stop); err != nil {
			return fmt.Errorf("stop: %w", err)
		}
		if !poll(func() bool { st, err := s.Query(); return err == nil && st.State == svc.Stopped }) {
			return errors.New("the service did not stop")
		}
		fmt.Printf("start_ms=%.1f stop_ms=%.1f\n", ms(start), ms(time.Since(t0)))
	}
	return nil
}

// poll checks cond every millisecond for up to a minute: the SCM has no
// state-change event that works under Wine.
func poll(cond func() bool) bool {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
