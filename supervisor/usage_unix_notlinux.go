//go:build unix && !linux

package supervisor

import (
	"errors"
	"fmt"
)

// usage is not implemented here: without /proc a process group's members
// cannot be listed portably.
func (t *tree) usage() (Usage, error) {
	return Usage{}, fmt.Errorf("process tree usage: %w", errors.ErrUnsupported)
}
