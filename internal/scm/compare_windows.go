package scm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// Changes compares the installed service s.Name with s for `wrapper
// install --csv`, reading what the SCM holds: installed reports whether
// the service exists, changes lists each setting Install would change
// ("start type is 3, want 2"); none means Install would change nothing.
// A setting this SCM cannot report (Wine lacks several
// QueryServiceConfig2 levels: ERROR_INVALID_LEVEL) is not compared; one
// that cannot be read for another reason counts as changed. The password
// cannot be read back and is not compared. A service that does not run a
// wrapper is a *ForeignError unless force.
func Changes(s Service, force bool) (installed bool, changes []string, err error) {
	m, err := mgr.Connect()
	if err != nil {
		return false, nil, fmt.Errorf("connect to the service manager: %w", err)
	}
	defer m.Disconnect()
	svc, err := m.OpenService(s.Name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("open service %s: %w", s.Name, err)
	}
	defer svc.Close()
	if err := checkWrapper(svc, s.Name, force); err != nil {
		return true, nil, err
	}
	got, err := readConfig(svc)
	if err != nil {
		return true, []string{fmt.Sprintf("configuration unreadable: %v", err)}, nil
	}
	changes = configChanges(got, s)
	for _, c := range []func(*mgr.Service, Service) (string, error){describedAs, delayedAs, recoveryAs, preshutdownAs, sidTypeAs, privilegesAs} {
		msg, err := c(svc, s)
		switch {
		case errors.Is(err, windows.ERROR_INVALID_LEVEL): // not kept by this SCM (Wine)
		case err != nil:
			changes = append(changes, fmt.Sprintf("unreadable: %v", err))
		case msg != "":
			changes = append(changes, msg)
		}
	}
	return true, changes, nil
}

// configChanges compares what QueryServiceConfig reports with s.
func configChanges(got installedConfig, s Service) []string {
	want := s.config()
	var d []string
	differ := func(what string, got, want any) {
		d = append(d, fmt.Sprintf("%s is %v, want %v", what, got, want))
	}
	if bin := binPath(s.Exe, s.Args); !strings.EqualFold(got.binary, bin) {
		differ("binary path", got.binary, bin)
	}
	if got.display != want.DisplayName {
		differ("display name", fmt.Sprintf("%q", got.display), fmt.Sprintf("%q", want.DisplayName))
	}
	if got.start != want.StartType {
		differ("start type", got.start, want.StartType)
	}
	if got.errorControl != want.ErrorControl {
		differ("error control", got.errorControl, want.ErrorControl)
	}
	if g, w := AccountLabel(got.account), AccountLabel(want.ServiceStartName); !strings.EqualFold(g, w) {
		differ("account", g, w)
	}
	if !slices.EqualFunc(got.dependencies, want.Dependencies, strings.EqualFold) {
		differ("dependencies", got.dependencies, want.Dependencies)
	}
	return d
}

// query2 reads a QueryServiceConfig2 level into a buffer of at least size
// bytes.
func query2(svc *mgr.Service, level uint32, size int) ([]byte, error) {
	buf := make([]byte, max(size, 64))
	for {
		var needed uint32
		err := windows.QueryServiceConfig2(svc.Handle, level, &buf[0], uint32(len(buf)), &needed)
		if errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) && int(needed) > len(buf) {
			buf = make([]byte, needed)
			continue
		}
		return buf, err
	}
}

func describedAs(svc *mgr.Service, s Service) (string, error) {
	b, err := query2(svc, windows.SERVICE_CONFIG_DESCRIPTION, 1024)
	if err != nil {
		return "", err
	}
	got := windows.UTF16PtrToString((*windows.SERVICE_DESCRIPTION)(unsafe.Pointer(&b[0])).Description)
	if got != s.Description {
		return fmt.Sprintf("description is %q, want %q", got, s.Description), nil
	}
	return "", nil
}

func delayedAs(svc *mgr.Service, s Service) (string, error) {
	b, err := query2(svc, windows.SERVICE_CONFIG_DELAYED_AUTO_START_INFO, 0)
	if err != nil {
		return "", err
	}
	got := (*windows.SERVICE_DELAYED_AUTO_START_INFO)(unsafe.Pointer(&b[0])).IsDelayedAutoStartUp != 0
	if want := s.StartMode == "delayed-auto"; got != want {
		return fmt.Sprintf("delayed start is %v, want %v", got, want), nil
	}
	return "", nil
}

// recoveryAs compares the failure actions (failureDrift) and, with
// actions, the flag that runs them for stops with an error too.
func recoveryAs(svc *mgr.Service, s Service) (string, error) {
	got, err := readFailureActions(svc)
	if err != nil {
		return "", err
	}
	want, err := failureActionsOf(s.Recovery, s.RecoveryReset, windows.ComposeCommandLine)
	if err != nil {
		return "", err
	}
	if d := failureDrift(got, want); len(d) > 0 {
		return strings.Join(d, "; "), nil
	}
	if len(want.Actions) == 0 {
		return "", nil
	}
	b, err := query2(svc, windows.SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, 0)
	if err != nil {
		return "", err
	}
	if (*windows.SERVICE_FAILURE_ACTIONS_FLAG)(unsafe.Pointer(&b[0])).FailureActionsOnNonCrashFailures == 0 {
		return "recovery actions do not run for stops with an error", nil
	}
	return "", nil
}

func preshutdownAs(svc *mgr.Service, s Service) (string, error) {
	if s.PreshutdownTimeout <= 0 {
		return "", nil // Install leaves it alone
	}
	b, err := query2(svc, windows.SERVICE_CONFIG_PRESHUTDOWN_INFO, 0)
	if err != nil {
		return "", err
	}
	got := (*preshutdownInfo)(unsafe.Pointer(&b[0])).timeoutMillis
	if want := uint32(min(s.PreshutdownTimeout, time.Duration(math.MaxUint32)*time.Millisecond) / time.Millisecond); got != want {
		return fmt.Sprintf("preshutdown timeout is %dms, want %dms", got, want), nil
	}
	return "", nil
}

func sidTypeAs(svc *mgr.Service, s Service) (string, error) {
	got, err := readSIDType(svc)
	if err != nil {
		return "", err
	}
	want, err := sidTypeValue(s.SIDType)
	if err != nil {
		return "", err
	}
	if got != sidTypeName(want) {
		return fmt.Sprintf("service SID type is %s, want %s", got, sidTypeName(want)), nil
	}
	return "", nil
}

func privilegesAs(svc *mgr.Service, s Service) (string, error) {
	got, err := readPrivileges(svc)
	if err != nil {
		return "", err
	}
	if !samePrivileges(got, s.Privileges) {
		return fmt.Sprintf("required privileges are %s, want %s", listOrNone(got), listOrNone(s.Privileges)), nil
	}
	return "", nil
}
