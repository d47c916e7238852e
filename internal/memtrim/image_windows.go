package memtrim

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// releaseImage empties the process's working set: with both sizes
// (SIZE_T)-1, SetProcessWorkingSetSizeEx removes as many pages as it can.
// They go to the standby list, still in memory, and come back with a soft
// fault on the next touch; Windows counts the executable's image pages in
// the working set as Linux counts them in RSS.
func releaseImage() error {
	const all = ^uintptr(0)
	if err := windows.SetProcessWorkingSetSizeEx(windows.CurrentProcess(), all, all, 0); err != nil {
		return fmt.Errorf("empty the working set: %w", err)
	}
	return nil
}
