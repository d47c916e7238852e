//go:build unix && !linux

package supervisor

// reaper is Linux-only (see reaper_linux.go); elsewhere a child and its
// group survive a SIGKILLed wrapper.
type reaper struct{}

// startReaper does nothing outside Linux.
func startReaper(int, *cgroup) (*reaper, error) { return nil, nil }

// stop does nothing outside Linux.
func (*reaper) stop() {}

// coverCgroup: there are no cgroups outside Linux.
func coverCgroup(*cgroup) bool { return false }
