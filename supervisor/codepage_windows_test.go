package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() {
	fakechild.Register("codepage-home", codePageHome)
	testHelpers = append(testHelpers, "codepage-home")
}

// codePageHome is consoleHome (console_windows_test.go) for a child started
// with ConsoleCodePage 65001: from a process with no console, a shared one
// or one of its own alone, it supervises a "codepage" child and stops it
// once it runs. It prints the child's output, the supervisor's log, and
// "console <pids>": the processes on its console afterwards.
func codePageHome(args []string) int {
	procFreeConsole.Call()
	if args[0] != "none" {
		if r, _, err := procAllocConsole.Call(); r == 0 {
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
	path, argv, env, err := fakechild.Spec("codepage")
	if err != nil {
		fmt.Println(err)
		return 2
	}
	log, out := &logBuf{}, newSink()
	s, err := New(Options{Path: path, Args: argv, Env: env, Stdout: out, ConsoleCodePage: 65001,
		Stop:   StopOptions{Timeout: time.Hour, WindowTimeout: time.Hour},
		Logger: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		fmt.Println(err)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	if _, ok := out.wait(equals("ready"), waitLimit); !ok {
		fmt.Println(errors.New("child not ready"))
		return 2
	}
	cancel()
	if err := <-errc; err != nil {
		fmt.Println("Run:", err)
		return 2
	}
	fmt.Println(strings.Join(out.Lines(), "\n"))
	fmt.Print(log)
	fmt.Println("console", consoleList())
	return 0
}

// TestWinConsoleCodePage: the child runs on a console whose input and
// output code pages are 65001 from its first instruction, whether the
// wrapper has no console (a service) or one shared with others (`wrapper
// run`), to which it returns; Ctrl-C still stops the child. A wrapper alone
// on its console cannot leave it: the child starts with the system's code
// page and a warning.
func TestWinConsoleCodePage(t *testing.T) {
	for _, mode := range []string{"none", "shared", "alone"} {
		t.Run(mode, func(t *testing.T) {
			path, argv, env := fakechild.Command(t, "codepage-home", mode)
			cmd := exec.Command(path, argv...)
			cmd.Env = env
			outc := make(chan []byte, 1)
			go func() { out, _ := cmd.Output(); outc <- out }()
			var out string
			select {
			case b := <-outc:
				out = string(b)
			case <-time.After(waitLimit):
				t.Fatal("codepage-home did not finish")
			}
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("codepage-home output:\n%s", out)
				}
			})
			set := strings.Contains(out, "cp=65001 out=65001")
			if mode == "alone" {
				if set || !strings.Contains(out, "console code page not set") {
					t.Error("a wrapper alone on its console set the code page, or did not warn")
				}
			} else {
				if !set {
					t.Error("the child's console does not have code page 65001")
				}
				if !strings.Contains(out, "msg=stopped by=ctrl-c") {
					t.Error("the child on the prepared console was not stopped by Ctrl-C")
				}
			}
			checkHome(t, out, cmd.Process.Pid, mode)
		})
	}
}

func TestWinConsoleCodePageMustBeInstalled(t *testing.T) {
	if _, err := New(Options{Path: "x", ConsoleCodePage: 12345}); err == nil ||
		!strings.Contains(err.Error(), "console code page 12345: not installed") {
		t.Errorf("New with code page 12345: %v", err)
	}
	if _, err := New(Options{Path: "x", ConsoleCodePage: 850}); err != nil {
		t.Errorf("New with code page 850: %v", err)
	}
}
