package supervisor

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// codePageApplies reports whether Options.ConsoleCodePage means anything
// here: it does, Windows consoles have code pages.
const codePageApplies = true

// consoleHostWait bounds the wait for the console host to be ready, and
// then for it to end.
const consoleHostWait = 10 * time.Second

var procIsValidCodePage = kernel32.NewProc("IsValidCodePage")

// checkCodePage refuses a code page this system does not have: Windows
// would refuse to set it at every start.
func checkCodePage(cp uint32) error {
	if cp == 0 {
		return nil
	}
	if r, _, _ := procIsValidCodePage.Call(uintptr(cp)); r == 0 {
		return fmt.Errorf("console code page %d: not installed on this system", cp)
	}
	return nil
}

// startChild starts cmd, created suspended with a console of its own (see
// sysProcAttr), with the console's code page set to o.ConsoleCodePage
// before the child runs any code.
//
// A process's console is created by the process itself as it starts (by
// its kernelbase, which launches conhost; the suspended child has none), so
// no one can attach to the child's console before the child runs, and
// setting the code page after it runs races with a child that reads it
// first. So the wrapper makes the console first: it starts cmd.exe with a
// new console without a window, attaches to that console, sets its input
// and output code pages, and starts the child without a console flag while
// attached, so that the child inherits the console; then it leaves and ends
// cmd.exe. The child is then alone on a windowless console of its own, as
// without a code page, and Ctrl-C reaches it the same way (sendCtrlC).
// When the console cannot be prepared, the child is started as usual and a
// warning logged: output in the wrong code page beats no child.
func startChild(cmd *exec.Cmd, o Options) error {
	if o.ConsoleCodePage == 0 {
		return cmd.Start()
	}
	host, err := startConsoleHost()
	if err == nil {
		defer host.end()
		var tried bool
		tried, err = startOnConsole(cmd, uint32(host.cmd.Process.Pid), o)
		if tried {
			return err
		}
	}
	o.Logger.Warn("console code page not set; the child gets the system's",
		"code_page", o.ConsoleCodePage, "err", err)
	return cmd.Start()
}

// startOnConsole starts cmd on the console of process host after setting
// its code pages. tried reports whether cmd.Start was called (err is then
// its error); when it was not, err says why. Which console the wrapper is
// attached to is process-wide state: consoleMu serialises this with
// sendCtrlC.
func startOnConsole(cmd *exec.Cmd, host uint32, o Options) (tried bool, err error) {
	consoleMu.Lock()
	defer consoleMu.Unlock()
	home, err := homeConsole()
	if err != nil {
		return false, err // alone on its console, which would close if it left
	}
	// Detach from whatever console the wrapper has (a no-op without one):
	// AttachConsole fails while attached.
	procFreeConsole.Call()
	if err = attachConsole(host); err == nil {
		err = setCodePages(o.ConsoleCodePage)
	} else {
		err = fmt.Errorf("attach to the new console: %w", err)
	}
	if err == nil {
		tried = true
		// No CREATE_NO_WINDOW: a console process created without a
		// console flag inherits its creator's console.
		cmd.SysProcAttr.CreationFlags &^= windows.CREATE_NO_WINDOW
		err = cmd.Start()
	}
	procFreeConsole.Call()
	if herr := returnHome(home); herr != nil {
		o.Logger.Warn("console code page: the wrapper lost its own console", "err", herr)
	}
	return tried, err
}

// setCodePages sets the attached console's input and output code pages.
func setCodePages(cp uint32) error {
	if err := windows.SetConsoleOutputCP(cp); err != nil {
		return fmt.Errorf("set console output code page %d: %w", cp, err)
	}
	if err := windows.SetConsoleCP(cp); err != nil {
		return fmt.Errorf("set console input code page %d: %w", cp, err)
	}
	return nil
}

// consoleHost is a cmd.exe that owns a new console without a window for as
// long as its standard input stays open.
type consoleHost struct {
	cmd   *exec.Cmd
	stdin io.Closer
}

// startConsoleHost starts cmd.exe from the system directory (never one
// found on PATH) with a new windowless console and waits until it has
// answered a command, by which time its console exists (a process creates
// its console before it runs any of its own code). /d skips the AutoRun
// commands of the registry, /q turns echo off, /k keeps it reading
// commands from its standard input, a pipe, until that is closed.
func startConsoleHost() (*consoleHost, error) {
	dir, err := windows.GetSystemDirectory()
	if err != nil {
		return nil, fmt.Errorf("console host: %w", err)
	}
	exe := filepath.Join(dir, "cmd.exe")
	c := exec.Command(exe)
	// The command line verbatim: os/exec would quote "echo ready", and
	// cmd.exe would look for a program of that name.
	c.SysProcAttr = &syscall.SysProcAttr{CmdLine: `"` + exe + `" /d /q /k echo ready`,
		CreationFlags: windows.CREATE_NO_WINDOW}
	stdin, err := c.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("console host: %w", err)
	}
	stdout, w, err := os.Pipe()
	if err != nil {
		_ = stdin.Close()
		return nil, fmt.Errorf("console host: %w", err)
	}
	c.Stdout = w
	err = c.Start()
	_ = w.Close() // cmd.exe has its own copy; EOF comes when it exits
	if err != nil {
		_ = stdout.Close()
		return nil, fmt.Errorf("console host: %w", err)
	}
	h := &consoleHost{cmd: c, stdin: stdin}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil && strings.TrimSpace(line) != "ready" {
			err = fmt.Errorf("unexpected output %q", line)
		}
		ready <- err
		_, _ = io.Copy(io.Discard, stdout) // until it exits
		_ = stdout.Close()
	}()
	select {
	case err = <-ready:
	case <-time.After(consoleHostWait):
		err = fmt.Errorf("no answer in %s", consoleHostWait)
	}
	if err != nil {
		h.end()
		return nil, fmt.Errorf("console host %s: %w", exe, err)
	}
	return h, nil
}

// end closes cmd.exe's standard input, at which it exits, and reaps it in
// the background (killing it if it lingers): the child need not wait.
func (h *consoleHost) end() {
	_ = h.stdin.Close()
	go func() {
		t := time.AfterFunc(consoleHostWait, func() { _ = h.cmd.Process.Kill() })
		_ = h.cmd.Wait() // its exit status is of no interest
		t.Stop()
	}()
}
