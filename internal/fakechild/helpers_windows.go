package fakechild

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows-only helpers, besides the built-in ones:
//
//	interrupt          print "ready", wait for Ctrl-C (os.Interrupt), print
//	                   "interrupted"; exit 0
//	ignore-interrupt   handle and ignore Ctrl-C, print "ready", sleep
//	window             handle and ignore Ctrl-C, create a top-level window,
//	                   print "ready", and on WM_CLOSE print "closed" and
//	                   exit 0; without a window (Wine with no graphics
//	                   driver) print "no window: <error>" and exit 3
//	in-job             print "in-job=true" or "in-job=false": whether the
//	                   process is in a Job Object from its first instruction
//	                   of Go code; exit 0
//	no-console         leave the console (FreeConsole), print "ready", sleep
//
// They are registered in init, which runs after fakechild.go's init has
// made the registry (init functions run in file name order).
func init() {
	Register("interrupt", interrupt)
	Register("ignore-interrupt", ignoreInterrupt)
	Register("window", windowHelper)
	Register("in-job", inJob)
	Register("no-console", noConsole)
}

// detached starts a process in a new process group, which also makes it
// ignore Ctrl-C.
func detached() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// newSession is detached: Windows has no sessions in the Unix sense, and a
// new process group is what takes a process out of its parent's Ctrl-C.
func newSession() *syscall.SysProcAttr { return detached() }

func interrupt([]string) int {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	lines(os.Stdout, []string{"ready"})
	<-c
	return lines(os.Stdout, []string{"interrupted"})
}

// ignoreCtrlC handles Ctrl-C without acting on it. signal.Ignore would not
// do: on Windows an ignored os.Interrupt is left to the default handler,
// which ends the process.
func ignoreCtrlC() {
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
}

func ignoreInterrupt([]string) int {
	ignoreCtrlC()
	lines(os.Stdout, []string{"ready"})
	return sleepForever()
}

var (
	kernel32    = windows.NewLazySystemDLL("kernel32.dll")
	freeConsole = kernel32.NewProc("FreeConsole")
	isInJob     = kernel32.NewProc("IsProcessInJob")
)

func inJob([]string) int {
	var in int32
	r, _, err := isInJob.Call(uintptr(windows.CurrentProcess()), 0, uintptr(unsafe.Pointer(&in)))
	if r == 0 {
		fmt.Fprintf(os.Stderr, "fakechild: in-job: %v\n", err)
		return 2
	}
	return lines(os.Stdout, []string{fmt.Sprintf("in-job=%v", in != 0)})
}

func noConsole([]string) int {
	if r, _, err := freeConsole.Call(); r == 0 {
		fmt.Fprintf(os.Stderr, "fakechild: no-console: %v\n", err)
		return 2
	}
	lines(os.Stdout, []string{"ready"})
	return sleepForever()
}
