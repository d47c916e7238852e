package fakechild

import (
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Window functions x/sys does not wrap.
var (
	user32               = windows.NewLazySystemDLL("user32.dll")
	procRegisterClassExW = user32.NewProc("RegisterClassExW")
	procCreateWindowExW  = user32.NewProc("CreateWindowExW")
	procDefWindowProcW   = user32.NewProc("DefWindowProcW")
	procDestroyWindow    = user32.NewProc("DestroyWindow")
	procGetMessageW      = user32.NewProc("GetMessageW")
	procDispatchMessageW = user32.NewProc("DispatchMessageW")
	procPostQuitMessage  = user32.NewProc("PostQuitMessage")
)

const (
	wmDestroy = 0x0002
	wmClose   = 0x0010
)

// wndClassEx is WNDCLASSEXW.
type wndClassEx struct {
	size       uint32
	style      uint32
	wndProc    uintptr
	clsExtra   int32
	wndExtra   int32
	instance   windows.Handle
	icon       windows.Handle
	cursor     windows.Handle
	background windows.Handle
	menuName   *uint16
	className  *uint16
	iconSm     windows.Handle
}

// msg is MSG.
type msg struct {
	hwnd    windows.HWND
	message uint32
	wParam  uintptr
	lParam  uintptr
	time    uint32
	pt      [2]int32
	private uint32
}

// windowHelper is the "window" helper: a minimal GUI program that a
// console control event cannot stop, only WM_CLOSE (or a kill).
func windowHelper([]string) int {
	ignoreCtrlC()
	// A window belongs to the thread that created it, and only that
	// thread's message loop receives its messages.
	runtime.LockOSThread()
	if err := createWindow(); err != nil {
		lines(os.Stdout, []string{"no window: " + err.Error()})
		return 3
	}
	lines(os.Stdout, []string{"ready"})
	var m msg
	for {
		r, _, err := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
		switch int32(r) {
		case 0: // WM_QUIT, posted once the window is destroyed
			return 0
		case -1:
			fmt.Fprintf(os.Stderr, "fakechild: window: GetMessage: %v\n", err)
			return 2
		}
		procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
	}
}

func createWindow() error {
	name, err := windows.UTF16PtrFromString("fakechild-window")
	if err != nil {
		return err
	}
	var inst windows.Handle
	if err := windows.GetModuleHandleEx(0, nil, &inst); err != nil {
		return fmt.Errorf("module handle: %w", err)
	}
	wc := wndClassEx{wndProc: windows.NewCallback(wndProc), instance: inst, className: name}
	wc.size = uint32(unsafe.Sizeof(wc))
	if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
		return fmt.Errorf("register window class: %w", err)
	}
	h, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(name)),
		0, 0, 0, 100, 100, 0, 0, uintptr(inst), 0)
	if h == 0 {
		return fmt.Errorf("create window: %w", err)
	}
	return nil
}

func wndProc(hwnd windows.HWND, m uint32, wParam, lParam uintptr) uintptr {
	switch m {
	case wmClose:
		lines(os.Stdout, []string{"closed"})
		procDestroyWindow.Call(uintptr(hwnd))
		return 0
	case wmDestroy:
		procPostQuitMessage.Call(0)
		return 0
	}
	r, _, _ := procDefWindowProcW.Call(uintptr(hwnd), uintptr(m), wParam, lParam)
	return r
}
