package scm

import "fmt"

// The SCM's SERVICE_RUNNING state (winsvc.h), repeated here so that the
// verdict below builds and is tested on every platform.
const serviceRunning = 4

// runningVerdict is Running's answer from what the SCM reported: nil for a
// running service, else an error naming the state as sc.exe spells it, or
// saying that no such service is installed.
func runningVerdict(name string, installed bool, state uint32, stateName string) error {
	switch {
	case !installed:
		return fmt.Errorf("service %s is not installed", name)
	case state != serviceRunning:
		return fmt.Errorf("service %s is %s", name, stateName)
	}
	return nil
}
