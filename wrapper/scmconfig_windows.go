package wrapper

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/wrapper-dev/wrapper/config"
)

// serviceConfig maps the YAML to the SCM's service configuration. A user
// account's password comes from the environment variable named by
// service.password_env, else from a prompt; it is never stored in the YAML.
func serviceConfig(cfg *config.Config, stdin *os.File, stderr io.Writer) (mgr.Config, error) {
	c := mgr.Config{
		DisplayName:  cfg.DisplayName,
		Description:  cfg.Description,
		Dependencies: cfg.Service.Dependencies,
		ErrorControl: mgr.ErrorNormal,
	}
	switch cfg.Service.StartMode {
	case config.StartAuto:
		c.StartType = mgr.StartAutomatic
	case config.StartDelayedAuto:
		c.StartType, c.DelayedAutoStart = mgr.StartAutomatic, true
	case config.StartManual:
		c.StartType = mgr.StartManual
	case config.StartDisabled:
		c.StartType = mgr.StartDisabled
	}
	name, needsPassword := resolveAccount(cfg.Service.Account, cfg.Name)
	if name != "LocalSystem" { // "" is LocalSystem for CreateService
		c.ServiceStartName = name
	}
	if !needsPassword {
		return c, nil
	}
	if v := cfg.Service.PasswordEnv; v != "" {
		pw, ok := os.LookupEnv(v)
		if !ok {
			return c, fmt.Errorf("service.password_env: environment variable %s is not set", v)
		}
		c.Password = pw
		return c, nil
	}
	if stdin == nil {
		return c, fmt.Errorf("account %s needs a password: set service.password_env", name)
	}
	pw, err := promptPassword(stdin, stderr, name)
	if err != nil {
		return c, fmt.Errorf("password for %s: %w (or set service.password_env)", name, err)
	}
	c.Password = pw
	return c, nil
}

// promptPassword reads a password from the console without echoing it.
func promptPassword(stdin *os.File, stderr io.Writer, account string) (string, error) {
	h := windows.Handle(stdin.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return "", errors.New("no console to prompt on")
	}
	fmt.Fprintf(stderr, "Password for %s: ", account)
	_ = windows.SetConsoleMode(h, mode&^windows.ENABLE_ECHO_INPUT)
	defer windows.SetConsoleMode(h, mode)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	fmt.Fprintln(stderr)
	if err != nil && line == "" {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// serviceState returns the SCM's state for name, "not installed", or "" when
// the SCM cannot be asked. It asks only for the rights status needs
// (connect, query status), so a non-elevated prompt gets an answer too.
func serviceState(name string) string {
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
	return stateName(svc.State(st.CurrentState))
}

// stateName spells an SCM state as sc.exe does.
func stateName(s svc.State) string {
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
			return st, fmt.Errorf("service %s still %s after %s without progress", s.Name, stateName(st.State), stateWait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
