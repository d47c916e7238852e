package statusfile

import "testing"

func TestDescribeExit(t *testing.T) {
	tests := []struct {
		code   int
		signal string
		want   string
	}{
		{0, "", "0"},
		{3, "", "3"},
		{-1, "SIGKILL", "killed by SIGKILL"},
		{-1073741819, "", "-1073741819 (0xC0000005, access violation)"}, // int32 view of 0xC0000005
		{0xC0000005, "", "3221225477 (0xC0000005, access violation)"},   // uint32 view, as Windows reports it
		{0xC000013A, "", "3221225786 (0xC000013A, terminated by Ctrl-C)"},
		{0xC0001234, "", "3221230132 (0xC0001234, NTSTATUS error)"},
	}
	for _, tt := range tests {
		if got := DescribeExit(tt.code, tt.signal); got != tt.want {
			t.Errorf("DescribeExit(%d, %q) = %q, want %q", tt.code, tt.signal, got, tt.want)
		}
	}
}
