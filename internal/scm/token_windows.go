package scm

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// errNoLevel explains ERROR_INVALID_LEVEL from ChangeServiceConfig2: an
// SCM without that setting (Wine's rejects the SID type and the required
// privileges, and keeps nothing).
var errNoLevel = errors.New("not applied: this service manager does not support the setting")

// setServiceSIDType sets the service SID type (sidTypeValue). The default,
// unrestricted, puts NT SERVICE\<name> in the token: the control pipe
// admits that SID rather than LocalService or NetworkService, which many
// services share. An SCM without the level is worth a warning only when
// the YAML asked for something else than the default.
func setServiceSIDType(s *mgr.Service, sidType string) error {
	t, err := sidTypeValue(sidType)
	if err != nil {
		return err
	}
	err = windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_SERVICE_SID_INFO, (*byte)(unsafe.Pointer(&t)))
	if errors.Is(err, windows.ERROR_INVALID_LEVEL) {
		if t == sidTypeUnrestricted {
			return nil
		}
		return fmt.Errorf("%w (%v)", errNoLevel, err)
	}
	return err
}

// setPrivileges sets the service's required privileges
// (SERVICE_REQUIRED_PRIVILEGES_INFO, a multi-string): the SCM removes
// every other privilege but SeChangeNotifyPrivilege from the token when the
// service starts. An empty list clears the setting, so that a privilege
// list removed from the YAML is removed from the SCM too; on an SCM
// without the level that is no warning.
func setPrivileges(s *mgr.Service, privileges []string) error {
	info := struct{ list *uint16 }{multiString(privileges)}
	err := windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, (*byte)(unsafe.Pointer(&info)))
	if errors.Is(err, windows.ERROR_INVALID_LEVEL) {
		if len(privileges) == 0 {
			return nil
		}
		return fmt.Errorf("%w (%v)", errNoLevel, err)
	}
	return err
}

// queryConfig2 reads one QueryServiceConfig2 level of s, growing the
// buffer as the SCM asks.
func queryConfig2(s *mgr.Service, level uint32) ([]byte, error) {
	buf := make([]byte, 1024)
	for {
		var needed uint32
		err := windows.QueryServiceConfig2(s.Handle, level, &buf[0], uint32(len(buf)), &needed)
		if errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) && int(needed) > len(buf) {
			buf = make([]byte, needed)
			continue
		}
		return buf, err
	}
}

// readSIDType reads back the service SID type.
func readSIDType(s *mgr.Service) (string, error) {
	b, err := queryConfig2(s, windows.SERVICE_CONFIG_SERVICE_SID_INFO)
	if err != nil {
		return "", err
	}
	return sidTypeName(*(*uint32)(unsafe.Pointer(&b[0]))), nil
}

// readPrivileges reads back the required privileges (none: not set).
func readPrivileges(s *mgr.Service) ([]string, error) {
	b, err := queryConfig2(s, windows.SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO)
	if err != nil {
		return nil, err
	}
	p := *(**uint16)(unsafe.Pointer(&b[0]))
	if p == nil {
		return nil, nil
	}
	// The SCM writes the multi-string into the buffer after the
	// structure; parseMultiSZ stops at its end or the buffer's.
	off := uintptr(unsafe.Pointer(p)) - uintptr(unsafe.Pointer(&b[0]))
	if off >= uintptr(len(b)) {
		return nil, errors.New("required privileges outside the answer's buffer")
	}
	return parseMultiSZ(unsafe.Slice(p, (uintptr(len(b))-off)/2)), nil
}

// Hardening reads back the service SID type and required privileges of
// service name, for `wrapper status` and the tests. An SCM without those
// settings answers an error wrapping windows.ERROR_INVALID_LEVEL.
func Hardening(name string) (sidType string, privileges []string, err error) {
	s, done, err := open(name)
	if err != nil {
		return "", nil, err
	}
	defer done()
	if sidType, err = readSIDType(s); err != nil {
		return "", nil, fmt.Errorf("query the service SID type of %s: %w", name, err)
	}
	if privileges, err = readPrivileges(s); err != nil {
		return "", nil, fmt.Errorf("query the required privileges of %s: %w", name, err)
	}
	return sidType, privileges, nil
}
