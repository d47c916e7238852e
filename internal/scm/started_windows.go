package scm

import (
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
)

// StartedBySCM reports whether the Service Control Manager started this
// process. svc.IsWindowsService also requires the parent to run in session
// 0, which is right on Windows but false under Wine, whose services run in
// session 1; the parent being services.exe is the part that identifies the
// SCM on both, so that is checked too.
func StartedBySCM() bool {
	if ok, err := svc.IsWindowsService(); err == nil && ok {
		return true
	}
	name, err := parentImageName()
	return err == nil && strings.EqualFold(name, "services.exe")
}

// parentImageName returns the file name of this process's parent's image,
// from a Toolhelp32 process snapshot.
func parentImageName() (string, error) {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return "", fmt.Errorf("process snapshot: %w", err)
	}
	defer windows.CloseHandle(snap)
	self := windows.GetCurrentProcessId()
	images := map[uint32]string{}
	parent := uint32(0)
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	for err = windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		images[e.ProcessID] = windows.UTF16ToString(e.ExeFile[:])
		if e.ProcessID == self {
			parent = e.ParentProcessID
		}
	}
	name, ok := images[parent]
	if parent == 0 || !ok {
		return "", fmt.Errorf("parent of process %d not found", self)
	}
	return name, nil
}
