package scm

import (
	"fmt"
	"time"
)

// readBack is what the SCM reports of the settings install makes beyond
// the service's configuration; a nil field could not be read (Wine's SCM
// answers ERROR_INVALID_LEVEL for all but the preshutdown timeout).
type readBack struct {
	preshutdown *time.Duration
	sidType     *string
	privileges  *[]string
	failure     *failureActions
}

// settingsDrift lists where the read-back settings differ from what
// install would set for want. compose joins the run actions' command
// (windows.ComposeCommandLine).
func settingsDrift(got readBack, want Service, compose func([]string) string) []string {
	var d []string
	if got.preshutdown != nil && want.PreshutdownTimeout > 0 && *got.preshutdown != want.PreshutdownTimeout {
		d = append(d, fmt.Sprintf("preshutdown timeout is %v, the YAML's stop budget is %v", *got.preshutdown, want.PreshutdownTimeout))
	}
	wantSID := want.SIDType
	if wantSID == "" {
		wantSID = "unrestricted"
	}
	if got.sidType != nil && *got.sidType != wantSID {
		d = append(d, fmt.Sprintf("service SID type is %s, the YAML says %s", *got.sidType, wantSID))
	}
	if got.privileges != nil && !samePrivileges(*got.privileges, want.Privileges) {
		d = append(d, fmt.Sprintf("required privileges are %s, the YAML says %s", listOrNone(*got.privileges), listOrNone(want.Privileges)))
	}
	if got.failure != nil {
		if fa, err := failureActionsOf(want.Recovery, want.RecoveryReset, compose); err == nil {
			d = append(d, failureDrift(*got.failure, fa)...)
		}
	}
	return d
}
