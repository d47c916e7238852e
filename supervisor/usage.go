package supervisor

import (
	"errors"
	"time"
)

// Usage is the resource use of the running child's process tree, as
// Supervisor.Usage measures it.
type Usage struct {
	// CPU is the user plus system CPU time of the tree: on Linux with the
	// child in a cgroup of its own (Options.Containment), of every process
	// the cgroup has held, ended ones included; on Linux otherwise, of the
	// live members of the child's process group and of the children they
	// have waited for; on Windows, of every process the child's Job Object
	// has held, ended ones included.
	CPU time.Duration
	// RSS is the memory of the tree in bytes: on Linux with the child in a
	// cgroup whose memory controller is enabled, the cgroup's
	// memory.current less its inactive file cache; otherwise the resident
	// memory of the tree's live processes (Windows: their working sets),
	// summed, so that a page shared by two of them counts twice.
	RSS int64
	// Processes is the number of live processes in the tree.
	Processes int
}

// ErrNoChild is returned by Usage when no child runs.
var ErrNoChild = errors.New("no child is running")

// Usage measures the running child's process tree. It reads the operating
// system's accounting (Linux: the child's cgroup, or else /proc of every
// process, to find the child's process group; Windows: the Job Object),
// so call it when a figure is wanted (a scrape, a limit's sample), not in
// a tight loop. It returns ErrNoChild when no child runs and an error
// wrapping errors.ErrUnsupported where there is no such accounting (Unix
// other than Linux). Safe from any goroutine.
func (s *Supervisor) Usage() (Usage, error) {
	t := s.tree.Load()
	if t == nil {
		return Usage{}, ErrNoChild
	}
	return t.usage()
}
