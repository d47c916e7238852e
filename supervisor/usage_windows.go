package supervisor

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// procGetProcessMemoryInfo is psapi's GetProcessMemoryInfo, which kernel32
// exports as K32GetProcessMemoryInfo since Windows 7; x/sys has neither.
var procGetProcessMemoryInfo = kernel32.NewProc("K32GetProcessMemoryInfo")

// jobAccounting is JOBOBJECT_BASIC_ACCOUNTING_INFORMATION; times are in
// 100-nanosecond units.
type jobAccounting struct {
	totalUserTime, totalKernelTime   int64
	periodUserTime, periodKernelTime int64
	pageFaults                       uint32
	totalProcesses                   uint32
	activeProcesses                  uint32
	terminatedProcesses              uint32
}

// processMemoryCounters is PROCESS_MEMORY_COUNTERS.
type processMemoryCounters struct {
	cb                         uint32
	pageFaultCount             uint32
	peakWorkingSetSize         uintptr
	workingSetSize             uintptr
	quotaPeakPagedPoolUsage    uintptr
	quotaPagedPoolUsage        uintptr
	quotaPeakNonPagedPoolUsage uintptr
	quotaNonPagedPoolUsage     uintptr
	pagefileUsage              uintptr
	peakPagefileUsage          uintptr
}

// usage reads the Job Object's accounting: CPU time of every process it
// has held (the job keeps the times of ended ones), and the working sets of
// its live processes, which the job does not total and which are read per
// process. A process that ends meanwhile is skipped.
func (t *tree) usage() (Usage, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job == 0 {
		return Usage{}, ErrNoChild
	}
	var acct jobAccounting
	err := windows.QueryInformationJobObject(t.job, windows.JobObjectBasicAccountingInformation,
		uintptr(unsafe.Pointer(&acct)), uint32(unsafe.Sizeof(acct)), nil)
	if err != nil {
		return Usage{}, fmt.Errorf("process tree usage: job accounting: %w", err)
	}
	u := Usage{
		CPU:       time.Duration(acct.totalUserTime+acct.totalKernelTime) * 100,
		Processes: int(acct.activeProcesses),
	}
	pids, err := jobPIDs(t.job)
	if err != nil {
		return u, fmt.Errorf("process tree usage: %w", err)
	}
	for _, pid := range pids {
		u.RSS += workingSet(pid)
	}
	return u, nil
}

// workingSet returns the working set of process pid in bytes, 0 when it
// cannot be read (the process ended).
func workingSet(pid uint32) int64 {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return 0
	}
	defer windows.CloseHandle(h)
	c := processMemoryCounters{}
	c.cb = uint32(unsafe.Sizeof(c))
	if ok, _, _ := procGetProcessMemoryInfo.Call(uintptr(h), uintptr(unsafe.Pointer(&c)), uintptr(c.cb)); ok == 0 {
		return 0
	}
	return int64(c.workingSetSize)
}
