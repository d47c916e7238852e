//go:build unix

package fakechild

import "syscall"

// detached puts a process in a process group of its own, out of reach of a
// kill aimed at its parent's group.
func detached() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
