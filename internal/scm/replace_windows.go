package scm

import (
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

// Replacement names an installed service whose program the wrapper takes
// over (wrapper import --replace).
type Replacement struct {
	Name   string   // the service name
	Exe    string   // the wrapper executable
	Args   []string // its arguments in the binary path (--config FILE)
	LogDir string   // log.dir: the service's account gets modify rights on it
}

// Replace puts the wrapper in the place of service r.Name's program: it
// stops the service, switches its binary path to r.Exe with r.Args,
// registers its Event Log source, grants its account r.LogDir and starts
// it. Only the binary path changes (ChangeServiceConfig with
// SERVICE_NO_CHANGE for the rest), so the account and its password, which
// no one can read back, stay, and so do the start type, dependencies,
// names and recovery actions. report gets one line per step done. When the
// wrapper does not start, the old binary path is restored and, if the
// service ran before, started again.
func Replace(r Replacement, report func(string)) error {
	s, done, err := open(r.Name)
	if err != nil {
		return err
	}
	defer done()
	oldBin, account, err := binaryAndAccount(s)
	if err != nil {
		return err
	}
	st, err := s.Query()
	if err != nil {
		return fmt.Errorf("query %s: %w", r.Name, err)
	}
	running := st.State != svc.Stopped
	if err := stopAndWait(s); err != nil {
		return err
	}
	if running {
		report(fmt.Sprintf("stopped service %s", r.Name))
	}
	newBin := binPath(r.Exe, r.Args)
	if err := setBinary(s, newBin); err != nil {
		return fmt.Errorf("switch the binary path of %s: %w", r.Name, err)
	}
	report(fmt.Sprintf("binary path of %s was: %s", r.Name, oldBin))
	report(fmt.Sprintf("binary path of %s now: %s", r.Name, newBin))
	report(fmt.Sprintf("account kept: %s", AccountLabel(account)))
	// The source may exist from an earlier install: that is fine.
	if err := eventlog.InstallAsEventCreate(r.Name, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil &&
		!strings.Contains(err.Error(), "exists") {
		report(fmt.Sprintf("warning: event log source: %v", err))
	}
	if err := grantLogDir(r.LogDir, account); err != nil {
		report("warning: " + err.Error())
	}
	if err := startAndWait(s); err != nil {
		return restoreBinary(s, oldBin, running, err, report)
	}
	report(fmt.Sprintf("started service %s: the wrapper runs its program", r.Name))
	return nil
}

// restoreBinary puts the old binary path back after the wrapper failed to
// start (startErr) and restarts the old program if it ran before.
func restoreBinary(s *mgr.Service, oldBin string, running bool, startErr error, report func(string)) error {
	if err := setBinary(s, oldBin); err != nil {
		return fmt.Errorf("%w; restoring the old binary path failed too: %v", startErr, err)
	}
	report(fmt.Sprintf("the wrapper did not start; restored the binary path of %s: %s", s.Name, oldBin))
	if running {
		if err := startAndWait(s); err != nil {
			report(fmt.Sprintf("warning: the old program did not start again: %v", err))
		} else {
			report(fmt.Sprintf("started service %s again with its old program", s.Name))
		}
	}
	return startErr
}

// setBinary changes a service's binary path and nothing else.
func setBinary(s *mgr.Service, bin string) error {
	const keep = windows.SERVICE_NO_CHANGE
	return windows.ChangeServiceConfig(s.Handle, keep, keep, keep, utf16Ptr(bin), nil, nil, nil, nil, nil, nil)
}

// binaryAndAccount reads a service's binary path and account with the raw
// QueryServiceConfig (mgr's Config also asks for settings Wine does not
// have, and fails there).
func binaryAndAccount(s *mgr.Service) (bin, account string, err error) {
	buf := make([]uint64, 1024) // 8 KiB, aligned for the structure's pointers
	qc := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
	var needed uint32
	if err := windows.QueryServiceConfig(s.Handle, qc, uint32(len(buf)*8), &needed); err != nil {
		return "", "", fmt.Errorf("read the configuration of %s: %w", s.Name, err)
	}
	return windows.UTF16PtrToString(qc.BinaryPathName), windows.UTF16PtrToString(qc.ServiceStartName), nil
}
