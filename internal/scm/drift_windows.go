package scm

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// Drift lists the settings that only the SCM holds (display name, start
// mode, account, executable, preshutdown timeout, service SID type,
// required privileges, recovery actions) where the installed service
// differs from want: `wrapper install` applies them, a reload cannot. It
// reads the configuration with the raw QueryServiceConfig, which works
// where mgr's Config does not (Wine), and leaves out the settings the SCM
// does not report. It returns nil when the service is not installed or
// cannot be read.
func Drift(want Service) []string {
	s, done, err := open(want.Name)
	if err != nil {
		return nil
	}
	defer done()
	installed, err := readConfig(s)
	if err != nil {
		return nil
	}
	return append(driftOf(installed, want.config(), want.Exe), settingsDrift(readSettings(s), want, windows.ComposeCommandLine)...)
}

// readSettings reads back what install sets beyond the configuration;
// what cannot be read stays nil.
func readSettings(s *mgr.Service) readBack {
	var r readBack
	if d, err := readPreshutdown(s); err == nil {
		r.preshutdown = &d
	}
	if t, err := readSIDType(s); err == nil {
		r.sidType = &t
	}
	if p, err := readPrivileges(s); err == nil {
		r.privileges = &p
	}
	if fa, err := readFailureActions(s); err == nil {
		r.failure = &fa
	}
	return r
}

// installedConfig is what the SCM reports for a service.
type installedConfig struct {
	display, account, binary string
	start, serviceType       uint32
	errorControl             uint32
	dependencies             []string
}

// readConfig reads a service's configuration with the raw
// QueryServiceConfig, which works where mgr's Config does not (Wine).
func readConfig(s *mgr.Service) (installedConfig, error) {
	var needed uint32
	buf := make([]byte, 8192)
	for {
		qc := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
		err := windows.QueryServiceConfig(s.Handle, qc, uint32(len(buf)), &needed)
		if errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) && int(needed) > len(buf) {
			buf = make([]byte, needed)
			continue
		}
		if err != nil {
			return installedConfig{}, err
		}
		return installedConfig{
			display:      windows.UTF16PtrToString(qc.DisplayName),
			start:        qc.StartType,
			serviceType:  qc.ServiceType,
			account:      windows.UTF16PtrToString(qc.ServiceStartName),
			binary:       windows.UTF16PtrToString(qc.BinaryPathName),
			errorControl: qc.ErrorControl,
			dependencies: multiStringList(qc.Dependencies),
		}, nil
	}
}

// driftOf compares the installed configuration with the wanted one.
func driftOf(got installedConfig, want mgr.Config, exe string) []string {
	var d []string
	if got.display != want.DisplayName {
		d = append(d, fmt.Sprintf("display name is %q, the YAML says %q", got.display, want.DisplayName))
	}
	if got.start != want.StartType {
		d = append(d, fmt.Sprintf("start type is %d, the YAML says %d", got.start, want.StartType))
	}
	wantAccount := AccountLabel(want.ServiceStartName)
	if !strings.EqualFold(AccountLabel(got.account), wantAccount) {
		d = append(d, fmt.Sprintf("account is %s, the YAML says %s", AccountLabel(got.account), wantAccount))
	}
	if exe != "" && !strings.Contains(strings.ToLower(got.binary), strings.ToLower(exe)) {
		d = append(d, fmt.Sprintf("the service runs %s, not this wrapper (%s)", got.binary, exe))
	}
	return d
}

// multiStringList decodes a double-NUL-terminated list of strings.
func multiStringList(p *uint16) []string {
	var out []string
	for p != nil && *p != 0 {
		s := windows.UTF16PtrToString(p)
		out = append(out, s)
		p = (*uint16)(unsafe.Add(unsafe.Pointer(p), (len(windows.StringToUTF16(s)))*2))
	}
	return out
}
