package config

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// parseStop parses a configuration with the given top-level YAML (stdin,
// stop), with Windows semantics or not, in a folder with bin/app.exe.
func parseStop(t *testing.T, extra string, windows bool) (*Config, error) {
	t.Helper()
	dir := recoveryDir(t)
	yaml := "executable: bin/app.exe\n" + extra
	return parse(filepath.Join(dir, "svc.yaml"), []byte(yaml), Options{DefaultName: "svc", LookupEnv: mapEnv(nil)}, windows)
}

// TestStopSteps: every kind of step with its defaults, on the system that
// takes it; ctrl_c, close_stdin, http and command on both.
func TestStopSteps(t *testing.T) {
	const common = `  - {close_stdin: true, timeout: 2s}
  - {http: "http://127.0.0.1:8080/shutdown"}
  - {http: "http://127.0.0.1:8080/quit", method: put, timeout: 1m}
  - {command: [bin/app.exe, --stop], timeout: 5s}
`
	for _, windows := range []bool{false, true} {
		first := "  - {signal: sigint, timeout: 200ms}\n  - {ctrl_c: true}\n"
		want := []StopStep{{Kind: StepSignal, Signal: "INT", Timeout: 200 * time.Millisecond}, {Kind: StepCtrlC, Timeout: 7 * time.Second}}
		if windows {
			first = "  - {ctrl_break: true, timeout: 200ms}\n  - {wm_close: true}\n"
			want = []StopStep{{Kind: StepCtrlBreak, Timeout: 200 * time.Millisecond}, {Kind: StepWMClose, Timeout: 7 * time.Second}}
		}
		c, err := parseStop(t, "stdin: open\nstop:\n timeout: 7s\n steps:\n"+first+common, windows)
		if err != nil {
			t.Fatalf("windows=%v: %v", windows, err)
		}
		want = append(want,
			StopStep{Kind: StepCloseStdin, Timeout: 2 * time.Second},
			StopStep{Kind: StepHTTP, HTTP: "http://127.0.0.1:8080/shutdown", Method: "POST", Timeout: 7 * time.Second},
			StopStep{Kind: StepHTTP, HTTP: "http://127.0.0.1:8080/quit", Method: "PUT", Timeout: time.Minute},
			StopStep{Kind: StepCommand, Command: []string{filepath.Join(filepath.Dir(c.File), "bin", "app.exe"), "--stop"},
				Timeout: 5 * time.Second})
		if !reflect.DeepEqual(c.Stop.Steps, want) {
			t.Errorf("windows=%v: steps\n%+v\nwant\n%+v", windows, c.Stop.Steps, want)
		}
		if got := c.Stop.StepsTimeout(); got != 200*time.Millisecond+7*time.Second+2*time.Second+7*time.Second+time.Minute+5*time.Second {
			t.Errorf("windows=%v: StepsTimeout %v", windows, got)
		}
	}
	long := Stop{Steps: []StopStep{{Timeout: math.MaxInt64 - 1}, {Timeout: 2}}}
	if got := long.StepsTimeout(); got != math.MaxInt64 {
		t.Errorf("StepsTimeout of a sum too long: %v", got)
	}
	c, err := parseStop(t, "stop: {timeout: 3s}\n", false)
	if err != nil || c.Stop.Steps == nil || len(c.Stop.Steps) != 0 || c.Stop.StepsTimeout() != 0 {
		t.Fatalf("no steps: %+v, %v", c.Stop, err)
	}
}

// TestStopStepsRefused: what each system cannot take, with the message
// that names the step's key, and the rules that need the rest of the file.
func TestStopStepsRefused(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		windows bool
		want    []string
	}{
		{"signal on Windows", "stop:\n  steps:\n    - {signal: INT}\n", true,
			[]string{"svc.yaml:4: stop.steps[0].signal: Windows has no signals: use ctrl_c, ctrl_break or wm_close"}},
		{"ctrl_break and wm_close elsewhere", "stop:\n  steps:\n    - {ctrl_break: true}\n    - {wm_close: true}\n", false,
			[]string{"svc.yaml:4: stop.steps[0].ctrl_break: Windows only (a console event): on Unix use {signal: ...} (ctrl_c is SIGINT there)",
				"svc.yaml:5: stop.steps[1].wm_close: Windows only (a window message): on Unix use {signal: ...}"}},
		{"ctrl_c and ctrl_break", "stop:\n  steps:\n    - {ctrl_c: true}\n    - {wm_close: true}\n    - {ctrl_break: true}\n", true,
			[]string{"svc.yaml:6: stop.steps[2].ctrl_break: excludes ctrl_c (stop.steps[0]): a child started for Ctrl-Break is in a " +
				"process group of its own, where Windows disables Ctrl-C"}},
		{"close_stdin without stdin: open", "stdin: null\nstop:\n  steps:\n    - {ctrl_c: true}\n    - {close_stdin: true}\n", false,
			[]string{"svc.yaml:6: stop.steps[1].close_stdin: needs stdin: open (the pipe this step closes)"}},
		{"signal and window_timeout beside steps", "stop:\n  signal: INT\n  window_timeout: 1s\n  steps: [{ctrl_c: true}]\n", false,
			[]string{"svc.yaml:3: stop.signal: has no effect with stop.steps, which replace the default steps (write it as a step)",
				"svc.yaml:4: stop.window_timeout: has no effect with stop.steps, which replace the default steps (write it as a step)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseStop(t, tt.yaml, tt.windows)
			if err == nil {
				t.Fatal("accepted")
			}
			var got []string
			for _, p := range checkProblems(t, err) {
				got = append(got, filepath.Base(p.File)+":"+strings.TrimPrefix(p.Error(), p.File+":"))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestStdinKey: the three forms; the file is resolved against BASE and
// must be something the program can read without blocking its start.
func TestStdinKey(t *testing.T) {
	for yaml, want := range map[string]Stdin{
		"":                  {Mode: StdinNull},
		"stdin: null\n":     {Mode: StdinNull},
		"stdin: ~\n":        {Mode: StdinNull},
		"stdin: \"null\"\n": {Mode: StdinNull},
		"stdin: open\n":     {Mode: StdinOpen},
	} {
		c, err := parseStop(t, yaml, false)
		if err != nil || c.Stdin != want {
			t.Errorf("%q: %+v, %v; want %+v", yaml, c, err, want)
		}
	}
	c, err := parseStop(t, "stdin: {file: bin/app.exe}\n", false)
	if err != nil || c.Stdin != (Stdin{Mode: StdinFile, File: filepath.Join(filepath.Dir(c.File), "bin", "app.exe")}) {
		t.Fatalf("file: %+v, %v", c, err)
	}
	for yaml, want := range map[string]string{
		"stdin: Open\n":            `stdin: invalid value "Open": want null, open or {file: PATH} (did you mean "open"?)`,
		"stdin: [open]\n":          "stdin: expected null, open or {file: PATH}, got a list",
		"stdin: {}\n":              "stdin: file is required in the mapping form ({file: PATH})",
		"stdin: {path: in.txt}\n":  "stdin.path: unknown key",
		"stdin: {file: bin}\n":     "stdin.file: " + "$DIR" + string(filepath.Separator) + "bin is a directory",
		"stdin: {file: missing}\n": "stdin.file: " + "$DIR" + string(filepath.Separator) + "missing does not exist",
		"stdin: {file: \"\"}\n":    "stdin.file: must not be empty",
	} {
		_, err := parseStop(t, yaml, false)
		if err == nil {
			t.Errorf("%q accepted", yaml)
			continue
		}
		p := checkProblems(t, err)[0]
		if msg := strings.ReplaceAll(p.Key+": "+p.Msg, filepath.Dir(p.File), "$DIR"); !strings.HasPrefix(msg, want) {
			t.Errorf("%q: %s, want %s", yaml, msg, want)
		}
	}
}

// TestStopCommandAndStdinAreServiceFiles: install requires that others
// cannot change a stop step's program nor the stdin file (input to a
// REPL-like program is code), and the log directory, which the service
// account may write, must not hold the program.
func TestStopCommandAndStdinAreServiceFiles(t *testing.T) {
	dir := recoveryDir(t)
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("input\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := "executable: bin/app.exe\nstdin: {file: in.txt}\nstop:\n  steps: [{command: [bin/notify.exe, --stop]}]\n"
	c, err := parse(filepath.Join(dir, "svc.yaml"), []byte(yaml), Options{DefaultName: "svc", LookupEnv: mapEnv(nil)}, false)
	if err != nil {
		t.Fatal(err)
	}
	files := c.ServiceFiles()
	for _, want := range []string{in, filepath.Join(dir, "bin", "notify.exe")} {
		if !slices.Contains(files, want) {
			t.Errorf("ServiceFiles() = %q lacks %s", files, want)
		}
	}
	_, err = parseStop(t, "log: {dir: bin}\nstop:\n  steps: [{command: [bin/notify.exe]}]\n", false)
	if err == nil || !strings.Contains(err.Error(), "the program of a stop.steps command") {
		t.Fatalf("log.dir holding a stop command: %v", err)
	}
}
