package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() { fakechild.Register("console-home", consoleHome) }

func TestEchoFilter(t *testing.T) {
	t0 := time.Now()
	var f echoFilter
	if f.swallow(t0) {
		t.Fatal("swallowed a Ctrl-C with nothing sent")
	}
	got := f.expect(t0)
	if !f.swallow(t0.Add(echoWindow)) {
		t.Fatal("echo at the end of the window not swallowed")
	}
	select {
	case <-got:
	default:
		t.Fatal("echo swallowed but not reported")
	}
	if f.swallow(t0.Add(echoWindow)) {
		t.Fatal("a second Ctrl-C taken for the echo")
	}

	f.expect(t0)
	if f.swallow(t0.Add(echoWindow + 1)) {
		t.Fatal("a Ctrl-C after the window taken for the echo")
	}
	if f.swallow(t0.Add(echoWindow)) {
		t.Fatal("filter still armed after a late Ctrl-C")
	}

	f.expect(t0)
	f.cancel()
	if f.swallow(t0) {
		t.Fatal("swallowed after cancel")
	}
}

// TestCtrlHandler: the handler swallows only the expected Ctrl-C and passes
// every other event on to the next handler (the Go runtime's).
func TestCtrlHandler(t *testing.T) {
	echo.expect(time.Now())
	t.Cleanup(echo.cancel)
	if ctrlHandler(windows.CTRL_BREAK_EVENT) != 0 {
		t.Fatal("Ctrl-Break swallowed")
	}
	if ctrlHandler(windows.CTRL_C_EVENT) != 1 {
		t.Fatal("expected Ctrl-C passed on")
	}
	if ctrlHandler(windows.CTRL_C_EVENT) != 0 {
		t.Fatal("a user's Ctrl-C swallowed")
	}
}

func TestCloseTargets(t *testing.T) {
	wins := []window{{1, 10}, {2, 20}, {3, 10}, {4, 30}}
	tests := []struct {
		pids []uint32
		want []windows.HWND
	}{
		{nil, nil},
		{[]uint32{10}, []windows.HWND{1, 3}},
		{[]uint32{30, 20}, []windows.HWND{2, 4}},
		{[]uint32{99}, nil},
	}
	for _, tt := range tests {
		if got := closeTargets(wins, tt.pids); !slices.Equal(got, tt.want) {
			t.Errorf("closeTargets(%v) = %v, want %v", tt.pids, got, tt.want)
		}
	}
}

var procAllocConsole = kernel32.NewProc("AllocConsole")

// echoPending reports whether the echo of the last Ctrl-C sent is still
// expected: false once the process received it, and survived it.
func echoPending() bool {
	echo.mu.Lock()
	defer echo.mu.Unlock()
	return echo.armed
}

// consoleList returns the processes attached to the caller's console.
func consoleList() []uint32 {
	buf := make([]uint32, 64)
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	return buf[:min(int(n), len(buf))]
}

// consoleHome stops a supervised "interrupt" child from a process whose
// console is as args[0] says: "none" (a service), "shared" (`wrapper run`
// in a shell: a console of its own with another process on it) or "alone"
// (a console of its own and no other process). It prints the supervisor's
// log, whether the echo of the Ctrl-C is still expected, and "console
// <pids>": the processes on its console afterwards.
func consoleHome(args []string) int {
	procFreeConsole.Call()
	if args[0] != "none" {
		// Wine's AllocConsole now and then fails with "Invalid function"
		// while other test processes create consoles at the same moment
		// (seen once in three full runs); a retry succeeds.
		var err error
		for try := 0; try < 5; try++ {
			var r uintptr
			if r, _, err = procAllocConsole.Call(); r != 0 {
				err = nil
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			fmt.Println("alloc console:", err)
			return 2
		}
	}
	if args[0] == "shared" {
		path, argv, env, _ := fakechild.Spec("hang", "ready")
		peer := exec.Command(path, argv...) // no flags: it shares this console
		peer.Env = env
		out, _ := peer.StdoutPipe()
		if err := peer.Start(); err != nil {
			fmt.Println("peer:", err)
			return 2
		}
		defer peer.Process.Kill()
		bufio.NewScanner(out).Scan()
	}
	log, err := stopInterrupt()
	if err != nil {
		fmt.Println(err)
		return 2
	}
	fmt.Print(log)
	fmt.Println("echo pending", echoPending())
	fmt.Println("console", consoleList())
	return 0
}

// stopInterrupt supervises an "interrupt" child, stops it once it runs and
// returns the supervisor's log.
func stopInterrupt() (string, error) {
	path, argv, env, err := fakechild.Spec("interrupt")
	if err != nil {
		return "", err
	}
	log, out := &logBuf{}, newSink()
	s, err := New(Options{Path: path, Args: argv, Env: env, Stdout: out,
		Stop:   StopOptions{Timeout: time.Hour, WindowTimeout: time.Hour},
		Logger: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	if _, ok := out.wait(equals("ready"), waitLimit); !ok {
		return "", errors.New("child not ready")
	}
	cancel()
	if err := <-errc; err != nil {
		return "", fmt.Errorf("Run: %w", err)
	}
	return log.String(), nil
}

// TestWinCtrlCConsoles: the wrapper sends Ctrl-C and survives its own echo
// of it whether it has no console (a service) or a console of its own
// (`wrapper run`), to which it returns. Alone on its console, it skips
// Ctrl-C rather than close the console by leaving it. The sender runs in a
// helper process: under Wine a process that dies of Ctrl-C exits 0, which
// go test would read as a pass.
func TestWinCtrlCConsoles(t *testing.T) {
	for _, mode := range []string{"none", "shared", "alone"} {
		t.Run(mode, func(t *testing.T) {
			path, argv, env := fakechild.Command(t, "console-home", mode)
			cmd := exec.Command(path, argv...)
			cmd.Env = env
			outc := make(chan []byte, 1)
			go func() { out, _ := cmd.Output(); outc <- out }()
			var out string
			select {
			case b := <-outc:
				out = string(b)
			case <-time.After(waitLimit):
				t.Fatal("console-home did not finish")
			}
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("console-home output:\n%s", out)
				}
			})
			want := "by=ctrl-c"
			if mode == "alone" {
				want = "by=kill"
				if !strings.Contains(out, "the wrapper is the only process on its console") {
					t.Error("Ctrl-C not skipped for a console of its own")
				}
			} else if !strings.Contains(out, "echo pending false") {
				t.Error("the echo of the Ctrl-C did not arrive") // and so proved nothing
			}
			if !strings.Contains(out, "msg=stopped "+want) {
				t.Errorf("not stopped %s", want)
			}
			checkHome(t, out, cmd.Process.Pid, mode)
		})
	}
}

// checkHome checks the "console" line: the process is on no console (none),
// back on its own with the peer (shared), or still alone on it.
func checkHome(t *testing.T, out string, self int, mode string) {
	t.Helper()
	_, list, ok := strings.Cut(out, "console [")
	if !ok {
		t.Fatal("no console line")
	}
	list, _, _ = strings.Cut(list, "]")
	pids := strings.Fields(list)
	want := map[string]int{"none": 0, "shared": 2, "alone": 1}[mode]
	if len(pids) != want || want > 0 && !slices.Contains(pids, strconv.Itoa(self)) {
		t.Fatalf("console-home (%d) afterwards on a console with %v, want %d processes", self, pids, want)
	}
}
