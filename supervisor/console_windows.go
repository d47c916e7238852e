package supervisor

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Console functions x/sys does not wrap.
var (
	kernel32                  = windows.NewLazySystemDLL("kernel32.dll")
	procAttachConsole         = kernel32.NewProc("AttachConsole")
	procFreeConsole           = kernel32.NewProc("FreeConsole")
	procSetConsoleCtrlHandler = kernel32.NewProc("SetConsoleCtrlHandler")
	procGetConsoleProcessList = kernel32.NewProc("GetConsoleProcessList")
)

// attachParentProcess is AttachConsole's ATTACH_PARENT_PROCESS ((DWORD)-1).
const attachParentProcess = ^uint32(0)

const (
	// echoWait bounds the wait, while attached to the child's console, for
	// the Ctrl-C the wrapper sends itself (see sendCtrlC).
	echoWait = time.Second
	// echoWindow is how long after a send a Ctrl-C reaching the wrapper is
	// still taken for the echo of that send and swallowed.
	echoWindow = 10 * time.Second
)

// consoleMu serialises sendCtrl: which console the wrapper is attached to
// is process-wide state, shared by every Supervisor in the process.
var consoleMu sync.Mutex

// echo recognises the wrapper's own Ctrl-C; ctrlHandler consults it.
var echo echoFilter

// sendCtrlC delivers CTRL_C_EVENT to the console of process pid, and so to
// every process attached to it: the child and its console descendants.
//
// GenerateConsoleCtrlEvent only reaches the caller's own console, and a
// child with a console of its own is the only kind a console-less service
// can interrupt (CTRL_BREAK_EVENT reaches a process group only, which the
// child leads only when started for it: see sendCtrlBreak). So the
// wrapper leaves its own
// console, if any, attaches to the child's, sends Ctrl-C to process group
// 0 (everyone on that console, itself included), leaves, and returns to
// the console it came from.
//
// The wrapper receives its own event. The usual answer,
// SetConsoleCtrlHandler(NULL, TRUE) around the send, is not used: Windows
// runs each process's handlers on a thread it creates for the event, which
// checks the ignore flag when it runs, possibly after the flag was
// restored; the wrapper would then take the event for a user's Ctrl-C (or,
// with no os/signal handler, die of it). The flag is also inherited by
// processes created meanwhile, and Wine shows such a child ignoring Ctrl-C.
// Instead a handler of the wrapper's own (ctrlHandler, ahead of the Go
// runtime's) swallows the echo, and the wrapper stays attached until the
// echo has arrived: by then the console has dispatched the event.
func sendCtrlC(pid uint32) error { return sendCtrl(pid, windows.CTRL_C_EVENT) }

// sendCtrlBreak delivers CTRL_BREAK_EVENT to the process group pid (the
// child, started with CREATE_NEW_PROCESS_GROUP: see ownProcessGroup) on
// that process's console, the way sendCtrlC reaches the console. The
// wrapper, attached meanwhile but not in the group, gets no echo.
func sendCtrlBreak(pid uint32) error { return sendCtrl(pid, windows.CTRL_BREAK_EVENT) }

// sendCtrl attaches to the console of process pid, generates event there
// (see generate) and returns to the wrapper's own console.
func sendCtrl(pid, event uint32) error {
	if err := installCtrlHandler(); err != nil {
		return err
	}
	consoleMu.Lock()
	defer consoleMu.Unlock()
	home, err := homeConsole()
	if err != nil {
		return err
	}
	// Detach from whatever console the wrapper has (a no-op without one):
	// AttachConsole fails while attached.
	procFreeConsole.Call()
	if err := attachConsole(pid); err != nil {
		return errors.Join(fmt.Errorf("%w: attach to the child's console: %w", errStepSkipped, err),
			returnHome(home))
	}
	err = generate(pid, event)
	procFreeConsole.Call()
	if herr := returnHome(home); herr != nil {
		return errors.Join(err, fmt.Errorf("%s sent, but: %w", ctrlName(event), herr))
	}
	return err
}

// generate sends event on the console the wrapper is attached to: Ctrl-C
// to process group 0, everyone there, the wrapper included, which then
// waits for its own echo (see sendCtrlC); Ctrl-Break to process group pid.
func generate(pid, event uint32) error {
	if event != windows.CTRL_C_EVENT {
		if err := windows.GenerateConsoleCtrlEvent(event, pid); err != nil {
			return fmt.Errorf("generate %s: %w", ctrlName(event), err)
		}
		return nil
	}
	got := echo.expect(time.Now())
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0); err != nil {
		echo.cancel()
		return fmt.Errorf("generate ctrl-c: %w", err)
	}
	select {
	case <-got:
	case <-time.After(echoWait):
	}
	return nil
}

// ctrlName names a console control event in messages.
func ctrlName(event uint32) string {
	if event == windows.CTRL_BREAK_EVENT {
		return "ctrl-break"
	}
	return "ctrl-c"
}

// homeConsole returns the other processes attached to the wrapper's own
// console, to return to that console through one of them (AttachConsole
// takes a process id, not a console). The wrapper's own parent need not be
// among them. nil means the wrapper has no console (a service). A console
// the wrapper alone is attached to would close when it leaves, so the
// Ctrl-C step is skipped then (`wrapper run` started from a shortcut).
func homeConsole() ([]uint32, error) {
	buf := make([]uint32, 64)
	for {
		n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		switch {
		case n == 0:
			return nil, nil // no console
		case int(n) > len(buf):
			buf = make([]uint32, n+8) // more processes attached meanwhile
			continue
		}
		self := uint32(os.Getpid())
		others := slices.DeleteFunc(buf[:n], func(p uint32) bool { return p == self })
		if len(others) == 0 {
			return nil, fmt.Errorf("%w: the wrapper is the only process on its console, "+
				"which would close if it left it", errStepSkipped)
		}
		return others, nil
	}
}

// returnHome attaches the wrapper to its own console again through one of
// the processes that share it, or its parent's. It does nothing for a
// wrapper that had no console.
func returnHome(peers []uint32) error {
	if peers == nil {
		return nil
	}
	for _, p := range append(peers, attachParentProcess) {
		if attachConsole(p) == nil {
			return nil
		}
	}
	return errors.New("the wrapper could not return to its console")
}

func attachConsole(pid uint32) error {
	if r, _, err := procAttachConsole.Call(uintptr(pid)); r == 0 {
		return err
	}
	return nil
}

// installCtrlHandler adds ctrlHandler to the wrapper's console control
// handlers, once. Handlers run last-added first, so it runs before the Go
// runtime's, which turns Ctrl-C into os.Interrupt.
var installCtrlHandler = sync.OnceValue(func() error {
	r, _, err := procSetConsoleCtrlHandler.Call(windows.NewCallback(ctrlHandler), 1)
	if r == 0 {
		return fmt.Errorf("set console control handler: %w", err)
	}
	return nil
})

// ctrlHandler is a HandlerRoutine: it swallows (returns TRUE for) the Ctrl-C
// the wrapper sent itself and passes on every other event.
func ctrlHandler(ctrlType uintptr) uintptr {
	if ctrlType == windows.CTRL_C_EVENT && echo.swallow(time.Now()) {
		return 1
	}
	return 0
}

// echoFilter tells the wrapper's own Ctrl-C from a user's: after expect,
// the first Ctrl-C within echoWindow is the echo. Safe for concurrent use.
type echoFilter struct {
	mu    sync.Mutex
	armed bool
	until time.Time
	got   chan struct{} // closed when the echo is swallowed
}

// expect arms the filter for the echo of a send at now and returns a
// channel closed when it arrives.
func (f *echoFilter) expect(now time.Time) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.until, f.got = true, now.Add(echoWindow), make(chan struct{})
	return f.got
}

// cancel disarms the filter: the send failed, no echo will come.
func (f *echoFilter) cancel() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = false
}

// swallow reports whether a Ctrl-C arriving at now is the expected echo.
// It disarms the filter either way.
func (f *echoFilter) swallow(now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.armed {
		return false
	}
	f.armed = false
	if now.After(f.until) {
		return false
	}
	close(f.got)
	return true
}
