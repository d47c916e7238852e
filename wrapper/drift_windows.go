package wrapper

import (
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/wrapper-dev/wrapper/config"
)

// serviceDrift lists the settings that only the SCM holds (display name,
// start mode, account, executable) where the installed service differs from
// the YAML: `wrapper install` applies them, a reload cannot. It reads the
// configuration with the raw QueryServiceConfig, which works where mgr's
// Config does not (Wine).
func serviceDrift(cfg *config.Config) []string {
	m, err := mgr.Connect()
	if err != nil {
		return nil
	}
	defer m.Disconnect()
	s, err := m.OpenService(cfg.Name)
	if err != nil {
		return nil
	}
	defer s.Close()
	buf := make([]byte, 8192)
	qc := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
	var needed uint32
	if windows.QueryServiceConfig(s.Handle, qc, uint32(len(buf)), &needed) != nil {
		return nil
	}
	want, err := serviceConfig(cfg, nil, nil)
	if err != nil { // a user account without a password at hand: compare the rest
		want.ServiceStartName, _ = resolveAccount(cfg.Service.Account, cfg.Name)
	}
	exe, _ := executable()
	installed := installedConfig{
		display: windows.UTF16PtrToString(qc.DisplayName),
		start:   qc.StartType,
		account: windows.UTF16PtrToString(qc.ServiceStartName),
		binary:  windows.UTF16PtrToString(qc.BinaryPathName),
	}
	return driftOf(installed, want, exe)
}

// installedConfig is what the SCM reports for a service.
type installedConfig struct {
	display, account, binary string
	start                    uint32
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
	wantAccount := accountLabel(want.ServiceStartName)
	if !strings.EqualFold(accountLabel(got.account), wantAccount) {
		d = append(d, fmt.Sprintf("account is %s, the YAML says %s", accountLabel(got.account), wantAccount))
	}
	if exe != "" && !strings.Contains(strings.ToLower(got.binary), strings.ToLower(exe)) {
		d = append(d, fmt.Sprintf("the service runs %s, not this wrapper (%s)", got.binary, exe))
	}
	return d
}
