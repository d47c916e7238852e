package supervisor

import (
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// testHelpers are the fakechild helpers this package's tests use; platform
// test files add theirs in init, which runs before TestMain.
var testHelpers = []string{"echo", "stderr", "exit", "env", "cwd", "flood", "write-then-exit", "longline", "hang", "alloc", "burn"}

func TestMain(m *testing.M) { fakechild.Main(m, testHelpers...) }
