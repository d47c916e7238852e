package memtrim

import (
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func TestMain(m *testing.M) { fakechild.Main(m, platformHelpers...) }
