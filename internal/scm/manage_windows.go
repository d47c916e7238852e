package scm

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

// config maps s to the SCM's service configuration.
func (s Service) config() mgr.Config {
	c := mgr.Config{
		DisplayName:  s.DisplayName,
		Description:  s.Description,
		Dependencies: s.Dependencies,
		ErrorControl: mgr.ErrorNormal,
		Password:     s.Password,
	}
	switch s.StartMode {
	case "delayed-auto":
		c.StartType, c.DelayedAutoStart = mgr.StartAutomatic, true
	case "manual":
		c.StartType = mgr.StartManual
	case "disabled":
		c.StartType = mgr.StartDisabled
	default:
		c.StartType = mgr.StartAutomatic
	}
	c.ServiceStartName, _ = s.StartName()
	return c
}

// ErrNotInstalled is returned for a service the SCM does not know.
var ErrNotInstalled = errors.New("service is not installed")

// Install creates the service, or updates an existing one in place (so its
// recovery settings and ACLs stay), then sets its recovery actions, service
// SID type and required privileges, registers its Event Log source, grants
// a user account or gMSA the right to log on as a service and grants its
// account (and, with a restricted SID type, its service SID) the log
// directory. An
// existing service that does not run a wrapper is a *ForeignError unless
// force. Steps after the creation that fail are passed to warn; created
// reports whether the service is new.
func Install(s Service, force bool, warn func(string)) (created bool, err error) {
	m, err := mgr.Connect()
	if err != nil {
		return false, fmt.Errorf("connect to the service manager: %w", err)
	}
	defer m.Disconnect()
	svc, created, err := createOrUpdate(m, s, force, warn)
	if err != nil {
		return false, err
	}
	defer svc.Close()
	if err := setRecovery(svc, s.Recovery, s.RecoveryReset); err != nil {
		warn(fmt.Sprintf("recovery actions: %v", err))
	}
	if err := setPreshutdown(svc, s.PreshutdownTimeout); err != nil {
		warn(fmt.Sprintf("preshutdown timeout: %v", err))
	}
	if err := setServiceSIDType(svc, s.SIDType); err != nil {
		warn(fmt.Sprintf("service.sid_type %s: %v", s.SIDType, err))
	}
	if err := setPrivileges(svc, s.Privileges); err != nil {
		warn(fmt.Sprintf("service.privileges: %v", err))
	}
	// The source may exist from an earlier install: that is fine.
	if err := eventlog.InstallAsEventCreate(s.Name, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil &&
		!strings.Contains(err.Error(), "exists") {
		warn(fmt.Sprintf("event log source: %v", err))
	}
	startName, _ := s.StartName()
	if needsLogonRight(s.Account, s.Name) {
		if err := grantLogonRight(startName); err != nil {
			warn(err.Error() + " (without it the service fails to start with error 1069)")
		}
	}
	for _, account := range logDirGrantees(startName, s.Name, s.SIDType) {
		if err := grantLogDir(s.LogDir, account); err != nil {
			warn(err.Error())
		}
	}
	return created, nil
}

// createOrUpdate creates the service or, when it exists and runs a wrapper
// (or force), updates its configuration in place (so its recovery
// settings and ACLs stay).
func createOrUpdate(m *mgr.Mgr, s Service, force bool, warn func(string)) (*mgr.Service, bool, error) {
	name, exe, args, c := s.Name, s.Exe, s.Args, s.config()
	// Delayed start is set separately: Wine's SCM rejects it with
	// ERROR_INVALID_LEVEL, and x/sys then deletes the service it just made.
	delayed := c.DelayedAutoStart
	c.DelayedAutoStart = false
	created := false
	svc, err := m.OpenService(name)
	if err != nil {
		if svc, err = m.CreateService(name, exe, c, args...); err != nil {
			return nil, false, fmt.Errorf("create service %s: %w", name, err)
		}
		created = true
	} else if err := checkWrapper(svc, name, force); err != nil {
		svc.Close()
		return nil, false, err
	} else if err := updateService(svc, c, binPath(exe, args)); err != nil {
		svc.Close()
		return nil, false, fmt.Errorf("update service %s: %w", name, err)
	}
	if err := setDelayedStart(svc, delayed); err != nil && (delayed || !created) {
		warn(fmt.Sprintf("delayed start: %v", err))
	}
	return svc, created, nil
}

// updateService rewrites an existing service's configuration with the raw
// ChangeServiceConfig calls: mgr's UpdateConfig also sets the SID type and
// delayed start through ChangeServiceConfig2 levels that Wine rejects, and
// would fail as a whole there. The description goes first and is put back
// when the configuration is refused, so a failed update changes nothing
// (`wrapper install --csv` promises it per row).
func updateService(s *mgr.Service, c mgr.Config, bin string) error {
	startName := c.ServiceStartName
	if startName == "" {
		startName = "LocalSystem"
	}
	old, oldErr := query2(s, windows.SERVICE_CONFIG_DESCRIPTION, 1024)
	d := windows.SERVICE_DESCRIPTION{Description: utf16Ptr(c.Description)}
	if err := windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DESCRIPTION, (*byte)(unsafe.Pointer(&d))); err != nil {
		return err
	}
	err := windows.ChangeServiceConfig(s.Handle, windows.SERVICE_WIN32_OWN_PROCESS, c.StartType, c.ErrorControl,
		utf16Ptr(bin), nil, nil, multiString(c.Dependencies), utf16Ptr(startName), utf16Ptr(c.Password), utf16Ptr(c.DisplayName))
	if err != nil && oldErr == nil {
		_ = windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DESCRIPTION, &old[0])
	}
	return err
}

// preshutdownInfo is SERVICE_PRESHUTDOWN_INFO, which x/sys does not define.
type preshutdownInfo struct{ timeoutMillis uint32 }

// setPreshutdown sets how long Windows waits for the service at system
// shutdown once it has sent PreShutdown; 0 leaves the setting alone.
func setPreshutdown(s *mgr.Service, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	info := preshutdownInfo{timeoutMillis: uint32(min(d, time.Duration(math.MaxUint32)*time.Millisecond) / time.Millisecond)}
	return windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_PRESHUTDOWN_INFO, (*byte)(unsafe.Pointer(&info)))
}

// PreshutdownTimeout reads back the service's preshutdown timeout.
func PreshutdownTimeout(name string) (time.Duration, error) {
	s, done, err := open(name)
	if err != nil {
		return 0, err
	}
	defer done()
	d, err := readPreshutdown(s)
	if err != nil {
		return 0, fmt.Errorf("query preshutdown timeout of %s: %w", name, err)
	}
	return d, nil
}

// readPreshutdown reads the preshutdown timeout of s.
func readPreshutdown(s *mgr.Service) (time.Duration, error) {
	var info preshutdownInfo
	var needed uint32
	if err := windows.QueryServiceConfig2(s.Handle, windows.SERVICE_CONFIG_PRESHUTDOWN_INFO,
		(*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)), &needed); err != nil {
		return 0, err
	}
	return time.Duration(info.timeoutMillis) * time.Millisecond, nil
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

// multiString encodes names for a Windows call (multiSZ).
func multiString(names []string) *uint16 { return &multiSZ(names)[0] }

// binPath quotes the executable and arguments the way CreateService does.
func binPath(exe string, args []string) string {
	parts := []string{windows.EscapeArg(exe)}
	for _, a := range args {
		parts = append(parts, windows.EscapeArg(a))
	}
	return strings.Join(parts, " ")
}

// Uninstall stops the service if it runs, then deletes it and its Event
// Log source. A service that does not run a wrapper is a *ForeignError
// unless force. A failed stop is passed to warn; the service is deleted
// anyway (the SCM removes it once it stops).
func Uninstall(name string, force bool, warn func(string)) error {
	s, done, err := open(name)
	if err != nil {
		return err
	}
	defer done()
	if err := checkWrapper(s, name, force); err != nil {
		return err
	}
	if err := stopAndWait(s); err != nil { // a stopped service returns at once
		warn(err.Error())
	}
	if err := s.Delete(); err != nil {
		return fmt.Errorf("delete service %s: %w", name, err)
	}
	_ = eventlog.Remove(name)
	return nil
}

// open connects and opens service name; ErrNotInstalled when it does not
// exist. done closes both.
func open(name string) (*mgr.Service, func(), error) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, nil, fmt.Errorf("connect to the service manager: %w", err)
	}
	s, err := m.OpenService(name)
	if err != nil {
		m.Disconnect()
		if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
			return nil, nil, fmt.Errorf("%s: %w", name, ErrNotInstalled)
		}
		return nil, nil, fmt.Errorf("open service %s: %w", name, err)
	}
	return s, func() { s.Close(); m.Disconnect() }, nil
}
