package scm

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// checkWrapper returns a *ForeignError unless service name runs a wrapper
// (see runsWrapper) or force is set. Without it `wrapper install` with
// `name: Spooler` would rewrite the Print Spooler's binary path and
// account, and `wrapper uninstall` would delete it.
func checkWrapper(s *mgr.Service, name string, force bool) error {
	if force {
		return nil
	}
	c, err := readConfig(s)
	if err != nil {
		return fmt.Errorf("read the configuration of service %s: %w", name, err)
	}
	self, _ := os.Executable()
	v := runsWrapper(installed{serviceType: c.serviceType, binaryPath: c.binary}, expandEnv,
		func(p string) (bool, error) { return isWrapperProgram(p, self, WrapperPackage) })
	if v.wrapper {
		return nil
	}
	return &ForeignError{Name: name, Program: v.program, Why: v.why}
}

// expandEnv replaces %VAR% references as the SCM does for a binary path
// (REG_EXPAND_SZ); s is returned as it is when that fails.
func expandEnv(s string) string {
	src, err := windows.UTF16PtrFromString(s)
	if err != nil {
		return s
	}
	n, err := windows.ExpandEnvironmentStrings(src, nil, 0)
	if err != nil || n == 0 {
		return s
	}
	buf := make([]uint16, n)
	if _, err := windows.ExpandEnvironmentStrings(src, &buf[0], n); err != nil {
		return s
	}
	return windows.UTF16ToString(buf)
}
