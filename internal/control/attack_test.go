package control

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// forged is what an impostor answers, as in the reproduced attack: a
// status saying "pid 1", and "child restarting" to anything else.
func forged(req Request) Response {
	if req.Cmd == "status" {
		return Response{OK: true, Status: &statusfile.Live{File: statusfile.File{Service: "forged", WrapperPID: 1, PID: 1, State: "running"}}}
	}
	return Response{OK: true, Message: "child restarting"}
}

// impostorHelper is the fake-child helper "impostor": it serves forged
// answers at args[0] (a socket path on Unix, a service's pipe on Windows),
// prints "ready", and serves until its stdin closes.
func impostorHelper(args []string) int {
	l, err := forgedListener(args[0])
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	srv := Serve(l, forged, slog.New(slog.DiscardHandler))
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.Close()
	return 0
}

// runImpostor starts cmd, an impostor, waits until it serves, and returns
// its pid; the test's end stops it.
func runImpostor(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("impostor: %q, %v", line, err)
	}
	return cmd.Process.Pid
}

// TestClientRefusesImpostor: an attacker serves forged answers where the
// client looks for the wrapper (on Unix as another account, in a directory
// it was given; on Windows by taking the pipe name first). The client
// refuses before it sends anything, naming the impostor's pid, when a
// service manager names another pid as the wrapper and, on Unix, when none
// runs the wrapper and the impostor is neither root nor the client. Told
// that the impostor's pid is the wrapper's, the client talks to it: the pid
// it checked is the server's own.
func TestClientRefusesImpostor(t *testing.T) {
	name := newService(t)
	pid := startImpostor(t, name)
	named := fmt.Sprintf("pid %d ", pid)
	wants := []Expect{{PID: os.Getpid(), Manager: "the test"}}
	if runtime.GOOS != "windows" { // under Wine the impostor is this same user: only the pid tells them apart
		wants = append(wants, Expect{})
	}
	for _, want := range wants {
		resp, err := Ask(name, want, "status")
		if !errors.Is(err, ErrImpostor) || !strings.Contains(err.Error(), named) || resp.Status != nil {
			t.Errorf("ask with %+v: %+v, %v; want ErrImpostor naming %q", want, resp, err, named)
		}
	}
	resp, err := Ask(name, Expect{PID: pid, Manager: "the test"}, "status")
	if err != nil || resp.Status == nil || resp.Status.WrapperPID != 1 {
		t.Errorf("ask expecting the impostor's pid: %+v, %v; want its forged status", resp, err)
	}
}

// TestListenNamesSquatter: a process that serves the endpoint before the
// wrapper starts is named in Listen's error (pid, account, executable).
func TestListenNamesSquatter(t *testing.T) {
	name := newService(t)
	pid := startImpostor(t, name)
	_, err := Listen(name)
	if named := fmt.Sprintf("pid %d ", pid); !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), named) {
		t.Errorf("listen: %v; want ErrAlreadyRunning naming %q", err, named)
	}
}
