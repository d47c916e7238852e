package scm

import "testing"

func TestConfigArg(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--config", `C:\svc\app.yaml`}, `C:\svc\app.yaml`},
		{[]string{"run", "-config", `C:\a b\app.yaml`}, `C:\a b\app.yaml`},
		{[]string{"--config=C:\\x.yaml"}, `C:\x.yaml`},
		{[]string{"service"}, ""},
		{[]string{"--config"}, ""},
	} {
		if got := configArg(tt.args); got != tt.want {
			t.Errorf("configArg(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestProgramSplits: the arguments after each program CreateProcess may
// start, which `wrapper list` reads the --config from.
func TestProgramSplits(t *testing.T) {
	got := programSplits(`"C:\Program Files\w\app.exe"  --config "C:\x y\app.yaml"`)
	if len(got) != 1 || got[0] != (split{`C:\Program Files\w\app.exe`, `--config "C:\x y\app.yaml"`}) {
		t.Errorf("quoted: %q", got)
	}
	got = programSplits(`C:\svc\my app.exe --config C:\svc\a.yaml`)
	want := []split{{`C:\svc\my.exe`, `app.exe --config C:\svc\a.yaml`}, {`C:\svc\my app.exe`, `--config C:\svc\a.yaml`},
		{`C:\svc\my app.exe --config`, `C:\svc\a.yaml`}, {`C:\svc\my app.exe --config C:\svc\a.yaml`, ""}}
	if len(got) != len(want) {
		t.Fatalf("unquoted: %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("unquoted [%d] = %q, want %q", i, got[i], want[i])
		}
	}
}
