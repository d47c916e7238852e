//go:build unix && !linux

package supervisor

import (
	"os"
	"syscall"
)

// setDeathSignal does nothing: only Linux has a parent-death signal. A child
// of a SIGKILLed wrapper survives here.
func setDeathSignal(*syscall.SysProcAttr) {}

// lockThread does nothing: without a parent-death signal the forking
// thread does not matter.
func lockThread() (unlock func()) { return func() {} }

// tunePipe does nothing: only Linux can resize a pipe.
func tunePipe(*os.File) {}
