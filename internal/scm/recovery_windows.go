package scm

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/wrapper-dev/wrapper/internal/winpriv"
)

// setRecovery installs the SCM's failure actions (failureActionsOf) and
// enables them for non-crash failures too: a wrapper that gives up stops
// with a service-specific exit code, which is such a failure.
func setRecovery(s *mgr.Service, actions []RecoveryAction, reset time.Duration) error {
	fa, err := failureActionsOf(actions, reset, windows.ComposeCommandLine)
	if err != nil {
		return err
	}
	if fa.hasReboot() {
		// ChangeServiceConfig2 refuses a reboot action unless the caller's
		// SeShutdownPrivilege is enabled; an administrator holds it,
		// disabled. A failure here shows as access denied below.
		_ = winpriv.Enable("SeShutdownPrivilege")
	}
	if err := applyFailureActions(s, fa); err != nil {
		if fa.hasReboot() && errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return fmt.Errorf("%w: %w", errNoReboot, err)
		}
		return err
	}
	flag := windows.SERVICE_FAILURE_ACTIONS_FLAG{FailureActionsOnNonCrashFailures: 1}
	err = windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, (*byte)(unsafe.Pointer(&flag)))
	if err != nil {
		return fmt.Errorf("set, but not for stops with errors (such as a wrapper that gave up): %w", err)
	}
	return nil
}

// applyFailureActions hands fa to the SCM. Without actions the SCM deletes
// them and the reset period (cActions 0 with a non-nil lpsaActions).
func applyFailureActions(s *mgr.Service, fa failureActions) error {
	acts := make([]windows.SC_ACTION, max(len(fa.Actions), 1))
	for i, a := range fa.Actions {
		acts[i] = windows.SC_ACTION{Type: a.Type, Delay: a.DelayMillis}
	}
	info := windows.SERVICE_FAILURE_ACTIONS{
		ResetPeriod:  fa.ResetSeconds,
		RebootMsg:    utf16Ptr(fa.RebootMsg),
		Command:      utf16Ptr(fa.Command),
		ActionsCount: uint32(len(fa.Actions)),
		Actions:      &acts[0],
	}
	return windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_FAILURE_ACTIONS, (*byte)(unsafe.Pointer(&info)))
}

// readFailureActions reads back the failure actions (where the SCM
// answers; Wine's does not).
func readFailureActions(s *mgr.Service) (failureActions, error) {
	b, err := queryConfig2(s, windows.SERVICE_CONFIG_FAILURE_ACTIONS)
	if err != nil {
		return failureActions{}, err
	}
	p := (*windows.SERVICE_FAILURE_ACTIONS)(unsafe.Pointer(&b[0]))
	fa := failureActions{ResetSeconds: p.ResetPeriod, Command: windows.UTF16PtrToString(p.Command),
		RebootMsg: windows.UTF16PtrToString(p.RebootMsg)}
	if p.Actions != nil {
		for _, a := range unsafe.Slice(p.Actions, p.ActionsCount) {
			fa.Actions = append(fa.Actions, scAction{Type: a.Type, DelayMillis: a.Delay})
		}
	}
	return fa, nil
}
