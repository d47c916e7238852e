package scm

import "testing"

// TestRunningVerdict: the logic of Running below the SCM calls, on every
// platform; Running itself is proven under Wine by
// wrapper.TestSCMWaitForService.
func TestRunningVerdict(t *testing.T) {
	tests := []struct {
		name      string
		installed bool
		state     uint32
		stateName string
		want      string // "" for nil
	}{
		{"running", true, serviceRunning, "RUNNING", ""},
		{"stopped", true, 1, "STOPPED", "service db is STOPPED"},
		{"start pending", true, 2, "START_PENDING", "service db is START_PENDING"},
		{"paused", true, 7, "PAUSED", "service db is PAUSED"},
		{"not installed", false, 0, "", "service db is not installed"},
	}
	for _, tt := range tests {
		err := runningVerdict("db", tt.installed, tt.state, tt.stateName)
		if (tt.want == "" && err != nil) || (tt.want != "" && (err == nil || err.Error() != tt.want)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
