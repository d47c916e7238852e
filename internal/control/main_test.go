package control

import (
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestMain: the test binary is also the attacker's impostor server.
func TestMain(m *testing.M) {
	fakechild.Register("impostor", impostorHelper)
	fakechild.Main(m, "impostor")
}
