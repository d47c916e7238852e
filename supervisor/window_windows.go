package supervisor

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sys/windows"
)

// wmClose is WM_CLOSE: what a window gets when its user clicks the close
// box. Applications without a console (or that ignore Ctrl-C) usually save
// and exit on it.
const wmClose = 0x0010

var procPostMessageW = windows.NewLazySystemDLL("user32.dll").NewProc("PostMessageW")

// window is a top-level window and the process that owns it.
type window struct {
	hwnd windows.HWND
	pid  uint32
}

// closeTargets returns the windows owned by one of pids, in wins' order.
func closeTargets(wins []window, pids []uint32) []windows.HWND {
	var out []windows.HWND
	for _, w := range wins {
		if slices.Contains(pids, w.pid) {
			out = append(out, w.hwnd)
		}
	}
	return out
}

// postClose posts WM_CLOSE to every top-level window owned by a process of
// job and returns how many were posted. PostMessage, not SendMessage: a
// window whose thread is busy or hung must not stall the stop ladder.
func postClose(job windows.Handle) (int, error) {
	pids, err := jobPIDs(job)
	if err != nil || len(pids) == 0 {
		return 0, err
	}
	wins, err := topWindows()
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, h := range closeTargets(wins, pids) {
		if r, _, err := procPostMessageW.Call(uintptr(h), wmClose, 0, 0); r == 0 {
			errs = append(errs, fmt.Errorf("post WM_CLOSE to window %#x: %w", h, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// enumState collects topWindows' result. EnumWindows calls back on the
// calling thread before it returns, so a mutex held across the call makes
// the package-level state safe; one callback, made once, serves every call
// (callbacks are a limited resource that is never freed).
var enumState struct {
	mu   sync.Mutex
	wins []window
	cb   uintptr
	once sync.Once
}

// topWindows lists the top-level windows of the wrapper's desktop, which is
// the one its children inherit, with their owning process ids.
func topWindows() ([]window, error) {
	s := &enumState
	s.once.Do(func() { s.cb = windows.NewCallback(enumWindow) })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wins = nil
	if err := windows.EnumWindows(s.cb, nil); err != nil {
		return nil, fmt.Errorf("enumerate windows: %w", err)
	}
	wins := s.wins
	s.wins = nil
	return wins, nil
}

// enumWindow is EnumWindows' callback; enumState.mu is held.
func enumWindow(hwnd windows.HWND, _ uintptr) uintptr {
	var pid uint32
	if _, err := windows.GetWindowThreadProcessId(hwnd, &pid); err == nil {
		enumState.wins = append(enumState.wins, window{hwnd: hwnd, pid: pid})
	}
	return 1 // continue
}
