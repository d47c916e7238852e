package wrapper

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// platformHelpers are the fake-child helpers only this platform's tests use.
var platformHelpers = []string{"service-child"}

func init() {
	fakechild.Register("service-child", serviceChild)
}

// isolateControl does nothing on Windows: the control pipe's name depends
// on the service name only, and the SCM tests use names of their own.
func isolateControl() {}

// serviceChild is the child of the SCM tests. With a marker path that does
// not exist yet, it creates it and crashes (exit 1), so the test sees a
// restart. Otherwise it prints its arguments and working directory, starts
// a "hang" grandchild and prints its pid, prints "ready", and on Ctrl-C
// prints "got ctrl-c" and exits 0.
func serviceChild(args []string) int {
	if len(args) > 0 {
		if _, err := os.Stat(args[0]); os.IsNotExist(err) {
			_ = os.WriteFile(args[0], nil, 0o644)
			fmt.Println("crashing")
			return 1
		}
	}
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	fmt.Printf("args=%q\n", args)
	wd, _ := os.Getwd()
	fmt.Println("cwd=" + wd)
	path, argv, env, err := fakechild.Spec("hang")
	if err != nil {
		fmt.Println("spec:", err)
		return 2
	}
	gc := exec.Command(path, argv...)
	gc.Env = env
	if err := gc.Start(); err != nil {
		fmt.Println("grandchild:", err)
		return 2
	}
	fmt.Printf("grandchild=%d\n", gc.Process.Pid)
	fmt.Println("ready")
	<-interrupt
	fmt.Println("got ctrl-c")
	return 0
}
