package scm

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// List returns every installed service that runs a wrapper (runsWrapper),
// by name, with its state and the --config of its binary path. It asks
// only for the rights to enumerate services and read their configuration,
// so a prompt that is not elevated gets an answer too. A service whose
// configuration cannot be read is left out.
func List() ([]WrapperService, error) {
	h, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT|windows.SC_MANAGER_ENUMERATE_SERVICE)
	if err != nil {
		return nil, fmt.Errorf("connect to the service manager: %w", err)
	}
	defer windows.CloseServiceHandle(h)
	all, err := enumServices(h)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	self, _ := os.Executable()
	var out []WrapperService
	for _, e := range all {
		s, ok := wrapperService(h, e, self)
		if ok {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b WrapperService) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// enumServices lists the Win32 services with their status.
func enumServices(h windows.Handle) ([]windows.ENUM_SERVICE_STATUS_PROCESS, error) {
	var buf []byte
	for {
		var needed, count, resume uint32
		var p *byte
		if len(buf) > 0 {
			p = &buf[0]
		}
		err := windows.EnumServicesStatusEx(h, windows.SC_ENUM_PROCESS_INFO, windows.SERVICE_WIN32, windows.SERVICE_STATE_ALL,
			p, uint32(len(buf)), &needed, &count, &resume, nil)
		if errors.Is(err, windows.ERROR_MORE_DATA) && int(needed) > len(buf) {
			// Services may be added meanwhile: ask for room to spare.
			buf = make([]byte, needed+4096)
			continue
		}
		if err != nil {
			return nil, err
		}
		if count == 0 {
			return nil, nil
		}
		return slices.Clone(unsafe.Slice((*windows.ENUM_SERVICE_STATUS_PROCESS)(unsafe.Pointer(&buf[0])), count)), nil
	}
}

// wrapperService reads e's configuration and returns it when it runs a
// wrapper.
func wrapperService(scm windows.Handle, e windows.ENUM_SERVICE_STATUS_PROCESS, self string) (WrapperService, bool) {
	name := windows.UTF16PtrToString(e.ServiceName)
	h, err := windows.OpenService(scm, e.ServiceName, windows.SERVICE_QUERY_CONFIG)
	if err != nil {
		return WrapperService{}, false
	}
	s := &mgr.Service{Name: name, Handle: h}
	defer s.Close()
	c, err := readConfig(s)
	if err != nil {
		return WrapperService{}, false
	}
	v := runsWrapper(installed{serviceType: c.serviceType, binaryPath: c.binary}, expandEnv,
		func(p string) (bool, error) { return isWrapperProgram(p, self, WrapperPackage) })
	if !v.wrapper {
		return WrapperService{}, false
	}
	// CommandLineToArgvW reads its first word by the rules for a program
	// name: a stand-in program keeps the arguments under the rules for
	// arguments. An unparsable rest has no --config to show.
	args, _ := windows.DecomposeCommandLine("x " + v.args)
	if len(args) > 0 {
		args = args[1:]
	}
	return WrapperService{Name: name, DisplayName: c.display, State: StateName(svc.State(e.ServiceStatusProcess.CurrentState)),
		Program: v.program, Config: configArg(args)}, true
}
