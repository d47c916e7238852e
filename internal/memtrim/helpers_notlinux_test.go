//go:build !linux

package memtrim

// platformHelpers are the fakechild helpers of this platform's tests.
var platformHelpers []string
