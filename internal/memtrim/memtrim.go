// Package memtrim gives back the memory that a settled wrapper maps but no
// longer uses. Most of an idle wrapper's resident memory is not its own
// data: it is the pages of its executable that start-up touched (runtime
// and package initialisation, the configuration, the first child's start),
// mapped in runs around each touched page by the kernel's fault-around.
// None of it is needed while the child runs undisturbed, and what is needed
// later comes back on first touch, from the page cache, without I/O.
//
// The heap is left to the Go runtime: a forced collection
// (debug.FreeOSMemory) returned nothing measurable at that point and cost
// a collection's work (docs/performance.md).
package memtrim

// Release drops the executable's read-only pages from this process's
// memory where the platform allows it. It is safe at any time: nothing
// that the process wrote is discarded. Its cost is the minor faults that
// later bring back the pages used again.
func Release() error { return releaseImage() }
