package wrapper

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/wrapper-dev/wrapper/config"
)

// stateWait bounds how long start/stop wait without progress for the SCM to
// report the target state (sc.exe returns while still pending; so does the
// SCM API); see waitState.
const stateWait = 60 * time.Second

// platformCommands returns the Windows service-management commands.
func platformCommands() []command {
	return []command{
		{name: "install", summary: "create the Windows service from the YAML, or update it (idempotent)", run: cmdInstall},
		{name: "uninstall", summary: "stop and delete the Windows service", run: cmdUninstall},
		{name: "start", summary: "start the Windows service and wait until it runs", run: cmdStart},
		{name: "stop", summary: "stop the Windows service and wait until it stopped", run: cmdStop},
		{name: "restart", summary: "stop, then start the Windows service", run: cmdRestart},
	}
}

// connect opens the SCM, turning "access denied" into ExitNotAdmin.
func connect(stderr io.Writer, what string) (*mgr.Mgr, int) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, adminOr(stderr, what, err)
	}
	return m, ExitOK
}

// adminOr reports err for what, with the exit code it deserves.
func adminOr(stderr io.Writer, what string, err error) int {
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		fmt.Fprintf(stderr, "wrapper %s: access denied: run it from an elevated (administrator) prompt\n", what)
		return ExitNotAdmin
	}
	fmt.Fprintf(stderr, "wrapper %s: %v\n", what, err)
	return ExitError
}

// cmdInstall creates the service, or updates an existing one.
func cmdInstall(args []string, stdout, stderr io.Writer) int {
	cfg, explicit, code := manageFlags("install", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	exe, err := executable()
	if err != nil {
		return adminOr(stderr, "install", err)
	}
	sc, err := serviceConfig(cfg, os.Stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper install: %v\n", err)
		return ExitUsage
	}
	var binArgs []string
	if explicit != "" { // the default location needs no argument
		binArgs = []string{"--config", cfg.File}
	}
	m, code := connect(stderr, "install")
	if m == nil {
		return code
	}
	defer m.Disconnect()
	s, created, err := createOrUpdate(m, cfg.Name, exe, sc, binArgs, stderr)
	if err != nil {
		return adminOr(stderr, "install", err)
	}
	defer s.Close()
	if err := setRecovery(s, cfg.Service); err != nil {
		fmt.Fprintf(stderr, "wrapper install: warning: recovery actions: %v\n", err)
	}
	// The source may exist from an earlier install: that is fine.
	if err := eventlog.InstallAsEventCreate(cfg.Name, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil &&
		!strings.Contains(err.Error(), "exists") {
		fmt.Fprintf(stderr, "wrapper install: warning: event log source: %v\n", err)
	}
	if err := grantLogDir(cfg, sc.ServiceStartName); err != nil {
		fmt.Fprintf(stderr, "wrapper install: warning: %v\n", err)
	}
	verb := "updated"
	if created {
		verb = "installed"
	}
	fmt.Fprintf(stdout, "service %s %s (account %s, start %s); start it with: wrapper start, or sc start %s\n",
		cfg.Name, verb, accountLabel(sc.ServiceStartName), cfg.Service.StartMode, cfg.Name)
	return ExitOK
}

// createOrUpdate creates the service or, when it exists, updates its
// configuration in place (so its recovery settings and ACLs stay).
func createOrUpdate(m *mgr.Mgr, name, exe string, c mgr.Config, args []string, stderr io.Writer) (*mgr.Service, bool, error) {
	// Delayed start is set separately: Wine's SCM rejects it with
	// ERROR_INVALID_LEVEL, and x/sys then deletes the service it just made.
	delayed := c.DelayedAutoStart
	c.DelayedAutoStart = false
	created := false
	s, err := m.OpenService(name)
	if err != nil {
		if s, err = m.CreateService(name, exe, c, args...); err != nil {
			return nil, false, fmt.Errorf("create service %s: %w", name, err)
		}
		created = true
	} else if err := updateService(s, c, binPath(exe, args)); err != nil {
		s.Close()
		return nil, false, fmt.Errorf("update service %s: %w", name, err)
	}
	if err := setDelayedStart(s, delayed); err != nil && (delayed || !created) {
		fmt.Fprintf(stderr, "wrapper install: warning: delayed start: %v\n", err)
	}
	return s, created, nil
}

// updateService rewrites an existing service's configuration with the raw
// ChangeServiceConfig calls: mgr's UpdateConfig also sets the SID type and
// delayed start through ChangeServiceConfig2 levels that Wine rejects, and
// would fail as a whole there.
func updateService(s *mgr.Service, c mgr.Config, bin string) error {
	startName := c.ServiceStartName
	if startName == "" {
		startName = "LocalSystem"
	}
	err := windows.ChangeServiceConfig(s.Handle, windows.SERVICE_WIN32_OWN_PROCESS, c.StartType, c.ErrorControl,
		utf16Ptr(bin), nil, nil, multiString(c.Dependencies), utf16Ptr(startName), utf16Ptr(c.Password), utf16Ptr(c.DisplayName))
	if err != nil {
		return err
	}
	d := windows.SERVICE_DESCRIPTION{Description: utf16Ptr(c.Description)}
	return windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DESCRIPTION, (*byte)(unsafe.Pointer(&d)))
}

// setDelayedStart turns delayed automatic start on or off.
func setDelayedStart(s *mgr.Service, on bool) error {
	info := windows.SERVICE_DELAYED_AUTO_START_INFO{}
	if on {
		info.IsDelayedAutoStartUp = 1
	}
	return windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (*byte)(unsafe.Pointer(&info)))
}

// utf16Ptr converts s for a Windows call (s has no NUL bytes: it comes from
// validated YAML).
func utf16Ptr(s string) *uint16 {
	p, _ := windows.UTF16PtrFromString(s)
	return p
}

// multiString encodes names as a double-NUL-terminated list; an empty list
// clears the dependencies.
func multiString(names []string) *uint16 {
	var b []uint16
	for _, n := range names {
		b = append(b, windows.StringToUTF16(n)...)
	}
	b = append(b, 0)
	if len(names) == 0 {
		b = append(b, 0)
	}
	return &b[0]
}

// binPath quotes the executable and arguments the way CreateService does.
func binPath(exe string, args []string) string {
	parts := []string{windows.EscapeArg(exe)}
	for _, a := range args {
		parts = append(parts, windows.EscapeArg(a))
	}
	return strings.Join(parts, " ")
}

// setRecovery installs SCM recovery actions (restart after each delay) and
// enables them for non-crash failures too: a wrapper that gives up stops
// with a service-specific exit code, which is such a failure.
func setRecovery(s *mgr.Service, sv config.Service) error {
	if len(sv.Recovery) == 0 {
		return s.ResetRecoveryActions()
	}
	actions := make([]mgr.RecoveryAction, len(sv.Recovery))
	for i, d := range sv.Recovery {
		actions[i] = mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: d}
	}
	if err := s.SetRecoveryActions(actions, uint32(sv.RecoveryReset/time.Second)); err != nil {
		return err
	}
	return s.SetRecoveryActionsOnNonCrashFailures(true)
}

// cmdUninstall stops the service if it runs, then deletes it and its Event
// Log source.
func cmdUninstall(args []string, stdout, stderr io.Writer) int {
	cfg, _, code := manageFlags("uninstall", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	m, code := connect(stderr, "uninstall")
	if m == nil {
		return code
	}
	defer m.Disconnect()
	s, err := m.OpenService(cfg.Name)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper uninstall: service %s is not installed\n", cfg.Name)
		return ExitNotRunning
	}
	defer s.Close()
	if st, err := s.Query(); err == nil && st.State != svc.Stopped {
		if err := stopAndWait(s); err != nil {
			fmt.Fprintf(stderr, "wrapper uninstall: warning: %v\n", err)
		}
	}
	if err := s.Delete(); err != nil {
		return adminOr(stderr, "uninstall", err)
	}
	_ = eventlog.Remove(cfg.Name)
	fmt.Fprintf(stdout, "service %s uninstalled\n", cfg.Name)
	return ExitOK
}

// openService connects and opens cfg's service for a command.
func openService(what string, args []string, stdout, stderr io.Writer) (*mgr.Service, func(), int) {
	cfg, _, code := manageFlags(what, args, stdout, stderr)
	if cfg == nil {
		return nil, nil, code
	}
	m, code := connect(stderr, what)
	if m == nil {
		return nil, nil, code
	}
	s, err := m.OpenService(cfg.Name)
	if err != nil {
		m.Disconnect()
		fmt.Fprintf(stderr, "wrapper %s: service %s is not installed (wrapper install)\n", what, cfg.Name)
		return nil, nil, ExitNotRunning
	}
	return s, func() { s.Close(); m.Disconnect() }, ExitOK
}

func cmdStart(args []string, stdout, stderr io.Writer) int {
	s, done, code := openService("start", args, stdout, stderr)
	if s == nil {
		return code
	}
	defer done()
	if err := startAndWait(s); err != nil {
		return adminOr(stderr, "start", err)
	}
	fmt.Fprintf(stdout, "service %s running\n", s.Name)
	return ExitOK
}

func cmdStop(args []string, stdout, stderr io.Writer) int {
	s, done, code := openService("stop", args, stdout, stderr)
	if s == nil {
		return code
	}
	defer done()
	if err := stopAndWait(s); err != nil {
		return adminOr(stderr, "stop", err)
	}
	fmt.Fprintf(stdout, "service %s stopped\n", s.Name)
	return ExitOK
}

func cmdRestart(args []string, stdout, stderr io.Writer) int {
	s, done, code := openService("restart", args, stdout, stderr)
	if s == nil {
		return code
	}
	defer done()
	if st, err := s.Query(); err == nil && st.State != svc.Stopped {
		if err := stopAndWait(s); err != nil {
			return adminOr(stderr, "restart", err)
		}
	}
	if err := startAndWait(s); err != nil {
		return adminOr(stderr, "restart", err)
	}
	fmt.Fprintf(stdout, "service %s restarted\n", s.Name)
	return ExitOK
}
