package logrotate

import (
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// testHelpers are the fakechild helpers this package's tests use; platform
// test files add theirs in init, which runs before TestMain.
var testHelpers []string

func TestMain(m *testing.M) { fakechild.Main(m, testHelpers...) }
