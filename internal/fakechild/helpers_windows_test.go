package fakechild

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

func init() { testHelpers = append(testHelpers, "in-job") }

// TestInJob: outside a Job Object the helper says so, so a test that
// expects "in-job=true" from a supervised child can fail.
func TestInJob(t *testing.T) {
	var in int32
	if r, _, err := isInJob.Call(uintptr(windows.CurrentProcess()), 0, uintptr(unsafe.Pointer(&in))); r == 0 {
		t.Fatal(err)
	}
	if in != 0 {
		t.Skip("the test process is in a job, and so is every child it starts")
	}
	if r := runHelper(t, "", nil, "in-job"); r.stdout != "in-job=false\n" || r.code != 0 {
		t.Fatalf("got stdout %q code %d, want in-job=false and 0", r.stdout, r.code)
	}
}
