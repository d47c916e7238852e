package wrapper

import (
	"os"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestMain lets the test binary be the wrapper itself (helper "wrapper", for
// tests that signal a whole wrapper process) and its fake children.
func TestMain(m *testing.M) {
	fakechild.Register("wrapper", func(args []string) int { return Main(args, os.Stdout, os.Stderr) })
	isolateControl()
	fakechild.Main(m, append([]string{"echo", "exit", "env", "cwd", "stderr", "serve"}, platformHelpers...)...)
}
