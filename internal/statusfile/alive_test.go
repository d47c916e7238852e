package statusfile

import (
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// knownStart returns this process's start time, skipping the test where
// the platform cannot tell it (Unix without /proc).
func knownStart(t *testing.T) uint64 {
	t.Helper()
	start, ok := ProcessStart(os.Getpid())
	if !ok {
		if runtime.GOOS == "linux" || runtime.GOOS == "windows" {
			t.Fatalf("ProcessStart(own pid) unknown on %s", runtime.GOOS)
		}
		t.Skipf("%s: no process start time; Alive decides on the pid alone", runtime.GOOS)
	}
	return start
}

// TestAliveComparesStartTime: a status file naming a live pid counts as
// running only if that process started when the file says. The test's own
// process with another start time stands for a pid recycled since the
// wrapper that wrote the file exited.
func TestAliveComparesStartTime(t *testing.T) {
	pid := os.Getpid()
	start := knownStart(t)
	if again, _ := ProcessStart(pid); again != start {
		t.Fatalf("ProcessStart is not stable: %d, then %d", start, again)
	}
	tests := []struct {
		name  string
		pid   int
		start uint64
		want  bool
	}{
		{"own pid, own start time", pid, start, true},
		{"own pid, a later start time (recycled pid)", pid, start + 1, false},
		{"own pid, an earlier start time", pid, start - 1, false},
		{"own pid, start time unknown (older status file)", pid, 0, true},
		{"no pid", 0, start, false},
		{"an exited process", exitedPID(t), start, false},
	}
	for _, tt := range tests {
		if got := Alive(tt.pid, tt.start); got != tt.want {
			t.Errorf("%s: Alive(%d, %d) = %v, want %v", tt.name, tt.pid, tt.start, got, tt.want)
		}
	}
}

// TestProcessStartOfAnotherProcess: the same holds for another live
// process, read through its pid.
func TestProcessStartOfAnotherProcess(t *testing.T) {
	knownStart(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWaitStdin$")
	cmd.Env = append(os.Environ(), "STATUSFILE_HELPER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	pid := cmd.Process.Pid
	start, ok := ProcessStart(pid)
	if !ok {
		t.Fatalf("ProcessStart(child %d) unknown", pid)
	}
	if !Alive(pid, start) || Alive(pid, start+1) {
		t.Errorf("Alive(child) with its start time = %v, with another = %v; want true, false",
			Alive(pid, start), Alive(pid, start+1))
	}
}

// TestHelperWaitStdin is the child of TestProcessStartOfAnotherProcess: it
// lives until its stdin closes.
func TestHelperWaitStdin(t *testing.T) {
	if os.Getenv("STATUSFILE_HELPER") != "1" {
		t.Skip("helper process only")
	}
	var b [1]byte
	os.Stdin.Read(b[:])
}

// exitedPID returns the pid of a process that has exited and been reaped.
func exitedPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestProcStatStart(t *testing.T) {
	tests := []struct {
		stat string
		want uint64
		ok   bool
	}{
		{"4242 (wrapper) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 9 0 123456 0 0", 123456, true},
		// A command name with spaces and ')' must not shift the fields.
		{"4242 (a) b (c) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 9 0 98765 0 0", 98765, true},
		{"4242 (short) S 1 2 3", 0, false},
		{"no parenthesis", 0, false},
		{"4242 (x) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 9 0 junk 0", 0, false},
	}
	for _, tt := range tests {
		if got, ok := procStatStart([]byte(tt.stat)); got != tt.want || ok != tt.ok {
			t.Errorf("procStatStart(%q) = %d, %v; want %d, %v", tt.stat, got, ok, tt.want, tt.ok)
		}
	}
}

// TestWrapperStartJSON: the start time is a string in JSON, so readers
// that hold numbers as doubles keep it exact, and survives a round trip.
func TestWrapperStartJSON(t *testing.T) {
	in := File{WrapperPID: 7, WrapperStart: 133_000_000_000_000_123}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out File
	if err := json.Unmarshal(b, &out); err != nil || out.WrapperStart != in.WrapperStart {
		t.Fatalf("round trip of %s: %d, %v", b, out.WrapperStart, err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil || raw["wrapper_start"] != "133000000000000123" {
		t.Errorf("wrapper_start in JSON = %#v, want a string", raw["wrapper_start"])
	}
}
