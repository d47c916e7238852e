package scm

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
)

// Running reports whether service name runs: nil when the SCM says
// RUNNING, else an error naming its state, or that it is not installed.
// It asks only for the rights a query needs (connect, query status), which
// every account has on most services.
func Running(name string) error {
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return fmt.Errorf("connect to the service control manager: %w", err)
	}
	defer windows.CloseServiceHandle(m)
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return fmt.Errorf("service %q: %w", name, err)
	}
	h, err := windows.OpenService(m, n, windows.SERVICE_QUERY_STATUS)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return runningVerdict(name, false, 0, "")
	}
	if err != nil {
		return fmt.Errorf("open service %s: %w", name, err)
	}
	defer windows.CloseServiceHandle(h)
	var st windows.SERVICE_STATUS
	if err := windows.QueryServiceStatus(h, &st); err != nil {
		return fmt.Errorf("query service %s: %w", name, err)
	}
	return runningVerdict(name, true, st.CurrentState, StateName(svc.State(st.CurrentState)))
}
