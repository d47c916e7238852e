package fakechild

import (
	"fmt"
	"os"
	"os/exec"
)

// held keeps alloc's memory reachable, so that the collector never frees
// it.
var held []byte

// alloc allocates MB megabytes and writes to every page of them, so that
// they are resident, prints "allocated" and sleeps. With "grandchild" it
// starts a grandchild that does so, sharing stdout and stderr, and sleeps
// without allocating anything itself: a measure of the child alone misses
// the memory.
func alloc(args []string) int {
	n, ok := count("alloc", args)
	if !ok {
		return 2
	}
	if len(args) > 1 {
		if args[1] != "grandchild" || len(args) > 2 {
			fmt.Fprintf(os.Stderr, "fakechild: alloc: unknown arguments %q\n", args[1:])
			return 2
		}
		path, argv, env, err := Spec("alloc", args[0])
		if err == nil {
			cmd := exec.Command(path, argv...)
			cmd.Env = env
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			err = cmd.Start()
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "fakechild: alloc: %v\n", err)
			return 2
		}
		return sleepForever()
	}
	held = make([]byte, n<<20)
	for i := 0; i < len(held); i += 4096 {
		held[i] = 1
	}
	lines(os.Stdout, []string{"allocated"})
	return sleepForever()
}

// burn prints "burning" and keeps one CPU busy until it is killed.
func burn([]string) int {
	lines(os.Stdout, []string{"burning"})
	for {
		// The scheduler preempts this loop asynchronously; nothing else
		// needs to run.
	}
}
