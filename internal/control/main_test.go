package control

import (
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestMain: the tests use fakechild's work directories only, no helper.
func TestMain(m *testing.M) { fakechild.Main(m) }
