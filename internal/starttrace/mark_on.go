//go:build starttrace && linux

package starttrace

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// t0 is the launcher's time of the fork, or -1 when it gave none.
var t0 = func() int64 {
	n, err := strconv.ParseInt(os.Getenv(EnvT0), 10, 64)
	if err != nil {
		return -1
	}
	return n
}()

// Mark writes the time since the launcher's fork with label.
func Mark(label string) {
	if t0 < 0 {
		return
	}
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	fmt.Fprintf(os.Stderr, "starttrace %s %.3f\n", label, float64(ts.Nano()-t0)/1e6)
}
