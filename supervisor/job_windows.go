package supervisor

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// killExitCode is the exit code of processes killed through the job: 1, as
// Go's Process.Kill and taskkill /F use.
const killExitCode = 1

// maxJobPIDs bounds the process ids read from a job. The windows of
// processes beyond it get no WM_CLOSE; the kill still reaches them.
const maxJobPIDs = 1024

// procNtResumeProcess resumes every thread of a process. It is not in
// x/sys; ntdll has exported it since Windows XP, and Wine implements it.
var procNtResumeProcess = windows.NewLazySystemDLL("ntdll.dll").NewProc("NtResumeProcess")

// childAccess is what the supervisor needs on the child's process handle:
// job assignment (SET_QUOTA, TERMINATE), the resume, waits, and killing
// it when the job cannot be set up.
const childAccess = windows.PROCESS_SET_QUOTA | windows.PROCESS_TERMINATE |
	windows.PROCESS_SUSPEND_RESUME | windows.SYNCHRONIZE |
	windows.PROCESS_QUERY_LIMITED_INFORMATION

// newJob creates an unnamed Job Object whose processes are all killed when
// its last handle closes. The handle is not inheritable and the supervisor
// never duplicates it, so the wrapper's death, however it comes, closes it
// and takes the child's whole tree along. Breakaway is not allowed: a
// descendant's CREATE_BREAKAWAY_FROM_JOB fails rather than escape. The
// job also holds the tree's priority class and affinity (see jobSched).
func newJob(sched jobSched) (windows.Handle, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return 0, fmt.Errorf("create job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{
			LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
		},
	}
	sched.limit(&info.BasicLimitInformation)
	_, err = windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
	if err != nil {
		windows.CloseHandle(job)
		return 0, fmt.Errorf("set job object limits: %w", err)
	}
	return job, nil
}

// contain puts a child that was created suspended into job, then lets it
// run. Because its only thread has not executed an instruction yet, the
// child cannot have started anything outside the job, and every process it
// starts inherits the job.
//
// The thread is resumed with NtResumeProcess on the process handle rather
// than ResumeThread: os/exec closes the thread handle CreateProcess
// returned, and finding the thread again takes a Toolhelp32 snapshot of
// every thread in the system and an OpenThread by id. Both work under Wine
// and on Windows; NtResumeProcess needs only the handle the supervisor
// already holds, which names this process and no other.
func contain(job, proc windows.Handle) error {
	if err := windows.AssignProcessToJobObject(job, proc); err != nil {
		return fmt.Errorf("assign child to job object: %w", err)
	}
	if st, _, _ := procNtResumeProcess.Call(uintptr(proc)); st != 0 {
		return fmt.Errorf("resume child: %w", windows.NTStatus(st))
	}
	return nil
}

// terminateJob kills every process in the job. A job with no process left
// is not an error.
func terminateJob(job windows.Handle) error {
	if err := windows.TerminateJobObject(job, killExitCode); err != nil {
		return fmt.Errorf("terminate job object: %w", err)
	}
	return nil
}

// jobPIDList is JOBOBJECT_BASIC_PROCESS_ID_LIST with room for maxJobPIDs
// ids (ULONG_PTR each).
type jobPIDList struct {
	assigned uint32
	listed   uint32
	pids     [maxJobPIDs]uintptr
}

// jobPIDs returns the ids of the processes in the job (at most maxJobPIDs).
func jobPIDs(job windows.Handle) ([]uint32, error) {
	list := new(jobPIDList)
	err := windows.QueryInformationJobObject(job, windows.JobObjectBasicProcessIdList,
		uintptr(unsafe.Pointer(list)), uint32(unsafe.Sizeof(*list)), nil)
	// ERROR_MORE_DATA: the list is full; the first maxJobPIDs are there.
	if err != nil && !errors.Is(err, windows.ERROR_MORE_DATA) {
		return nil, fmt.Errorf("list job processes: %w", err)
	}
	n := min(int(list.listed), maxJobPIDs)
	pids := make([]uint32, n)
	for i := range n {
		pids[i] = uint32(list.pids[i])
	}
	return pids, nil
}
