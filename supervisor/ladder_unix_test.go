//go:build unix

package supervisor

import (
	"slices"
	"testing"
	"time"
)

// TestDefaultLadderUnix: without steps, the stop signal, then the kill.
func TestDefaultLadderUnix(t *testing.T) {
	got := defaultLadder(StopOptions{Timeout: 3 * time.Second, Signal: "HUP", WindowTimeout: 2 * time.Second})
	want := []StopStep{{Kind: StepSignal, Signal: "HUP", Timeout: 3 * time.Second}}
	if !slices.EqualFunc(got, want, sameStep) {
		t.Errorf("ladder %+v, want %+v", got, want)
	}
}
