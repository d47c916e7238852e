package scm

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// Start starts service name and waits until it runs.
func Start(name string) error {
	s, done, err := open(name)
	if err != nil {
		return err
	}
	defer done()
	return startAndWait(s)
}

// Stop stops service name and waits until it has stopped.
func Stop(name string) error {
	s, done, err := open(name)
	if err != nil {
		return err
	}
	defer done()
	return stopAndWait(s)
}

// Restart stops service name when it runs, then starts it, waiting for
// each.
func Restart(name string) error {
	s, done, err := open(name)
	if err != nil {
		return err
	}
	defer done()
	if err := stopAndWait(s); err != nil { // a stopped service returns at once
		return err
	}
	return startAndWait(s)
}

// State returns the SCM's state for name, "not installed", or "" when
// the SCM cannot be asked. It asks only for the rights status needs
// (connect, query status), so a non-elevated prompt gets an answer too.
func State(name string) string {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return ""
	}
	defer windows.CloseServiceHandle(scm)
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return ""
	}
	h, err := windows.OpenService(scm, n, windows.SERVICE_QUERY_STATUS)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return "not installed"
	}
	if err != nil {
		return ""
	}
	defer windows.CloseServiceHandle(h)
	var st windows.SERVICE_STATUS
	if err := windows.QueryServiceStatus(h, &st); err != nil {
		return ""
	}
	return StateName(svc.State(st.CurrentState))
}

// ProcessID returns the process the SCM runs for service name (the
// wrapper), or 0 when it runs none or the SCM cannot be asked. It asks only
// for the rights status needs, as State does. Only the SCM can say this:
// the CLI checks the control pipe's server against it.
func ProcessID(name string) int {
	scm, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return 0
	}
	defer windows.CloseServiceHandle(scm)
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return 0
	}
	h, err := windows.OpenService(scm, n, windows.SERVICE_QUERY_STATUS)
	if err != nil {
		return 0
	}
	defer windows.CloseServiceHandle(h)
	var st windows.SERVICE_STATUS_PROCESS
	var need uint32
	if err := windows.QueryServiceStatusEx(h, windows.SC_STATUS_PROCESS_INFO, (*byte)(unsafe.Pointer(&st)), uint32(unsafe.Sizeof(st)), &need); err != nil {
		return 0
	}
	if st.CurrentState == windows.SERVICE_STOPPED {
		return 0
	}
	return int(st.ProcessId)
}

// StateName spells an SCM state as sc.exe does.
func StateName(s svc.State) string {
	switch s {
	case svc.Stopped:
		return "STOPPED"
	case svc.StartPending:
		return "START_PENDING"
	case svc.StopPending:
		return "STOP_PENDING"
	case svc.Running:
		return "RUNNING"
	case svc.ContinuePending:
		return "CONTINUE_PENDING"
	case svc.PausePending:
		return "PAUSE_PENDING"
	case svc.Paused:
		return "PAUSED"
	}
	return fmt.Sprintf("STATE_%d", s)
}

// startAndWait starts s and waits until it runs. A service that stops
// instead (bad YAML, say) is reported with its exit code.
func startAndWait(s *mgr.Service) error {
	if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
		return fmt.Errorf("start %s: %w", s.Name, err)
	}
	st, err := waitState(s, svc.Running, svc.Stopped)
	if err != nil {
		return err
	}
	if st.State == svc.Stopped {
		return fmt.Errorf("service %s stopped at start (exit code %d, service-specific %d): see its Event Log entries and %s.wrapper.log",
			s.Name, st.Win32ExitCode, st.ServiceSpecificExitCode, s.Name)
	}
	return nil
}

// stopAndWait asks s to stop and waits until it has. A service already
// stopping cannot accept the control: that is waited for too.
func stopAndWait(s *mgr.Service) error {
	if _, err := s.Control(svc.Stop); err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) &&
		!errors.Is(err, windows.ERROR_SERVICE_CANNOT_ACCEPT_CTRL) {
		return fmt.Errorf("stop %s: %w", s.Name, err)
	}
	_, err := waitState(s, svc.Stopped)
	return err
}

// waitState polls s until it reaches one of states: the SCM offers no event
// for state changes that works under both Windows and Wine, so this polls
// every 100 ms. It gives up after stateWait without progress; a service
// that advances its checkpoint (the wrapper does every second while it
// stops the child) keeps the wait going, as the SCM documentation asks.
func waitState(s *mgr.Service, states ...svc.State) (svc.Status, error) {
	deadline := time.Now().Add(stateWait)
	var checkpoint uint32
	for {
		st, err := s.Query()
		if err != nil {
			return st, fmt.Errorf("query %s: %w", s.Name, err)
		}
		for _, want := range states {
			if st.State == want {
				return st, nil
			}
		}
		if st.CheckPoint != checkpoint {
			checkpoint = st.CheckPoint
			deadline = time.Now().Add(max(stateWait, time.Duration(st.WaitHint)*time.Millisecond))
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("service %s still %s after %s without progress", s.Name, StateName(st.State), stateWait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stateWait bounds how long start/stop wait without progress for the SCM to
// report the target state (sc.exe returns while still pending; so does the
// SCM API); see waitState.
const stateWait = 60 * time.Second

// Wait waits until service name reaches one of states, as long as it makes
// progress (see waitState), and returns its status then.
func Wait(name string, states ...svc.State) (svc.Status, error) {
	s, done, err := open(name)
	if err != nil {
		return svc.Status{}, err
	}
	defer done()
	return waitState(s, states...)
}
