package fakechild

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// testHelpers are the helpers this package's tests use; platform test files
// add theirs in init.
var testHelpers = []string{"echo", "stderr", "exit", "hang", "flood", "longline", "env", "cwd", "write-then-exit", "write-bytes"}

func TestMain(m *testing.M) { Main(m, testHelpers...) }

// result is what a finished helper process did.
type result struct {
	stdout, stderr string
	code           int
}

// runHelper runs a helper to completion.
func runHelper(t *testing.T, dir string, extraEnv []string, name string, args ...string) result {
	t.Helper()
	path, argv, env := Command(t, name, args...)
	cmd := exec.Command(path, argv...)
	cmd.Env = append(env, extraEnv...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run %s: %v", name, err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

func TestOutputHelpers(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string
		code           int
	}{
		{"echo", []string{"a b", "c"}, "a b\nc\n", "", 0},
		{"echo", nil, "", "", 0},
		{"stderr", []string{"oops", "again"}, "", "oops\nagain\n", 0},
		{"exit", []string{"3"}, "", "", 3},
		{"exit", []string{"0", "bye"}, "bye\n", "", 0},
		{"exit", []string{"seven"}, "", "fakechild: exit: bad number \"seven\"\n", 2},
		{"flood", []string{"3"}, "line 1\nline 2\nline 3\n", "", 0},
		{"longline", []string{"5"}, "xxxxx\n", "", 0},
		{"write-then-exit", nil, "partial", "", 0},
		{"write-bytes", []string{"e4b8", "ad0a", "", "00ff"}, "中\n\x00\xff", "", 0},
		{"write-bytes", []string{"zz"}, "", "fakechild: write-bytes: encoding/hex: invalid byte: U+007A 'z'\n", 2},
		{"write-then-exit", []string{"tail"}, "tail", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+strings.Join(tt.args, ","), func(t *testing.T) {
			r := runHelper(t, "", nil, tt.name, tt.args...)
			if r.stdout != tt.stdout || r.stderr != tt.stderr || r.code != tt.code {
				t.Errorf("got stdout %q stderr %q code %d, want %q %q %d",
					r.stdout, r.stderr, r.code, tt.stdout, tt.stderr, tt.code)
			}
		})
	}
}

// TestCat: cat copies its stdin.
func TestCat(t *testing.T) {
	path, argv, env := Command(t, "cat")
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader("a\nb")
	out, err := cmd.Output()
	if err != nil || string(out) != "a\nb" {
		t.Fatalf("cat: %q, %v", out, err)
	}
}

func TestFloodLarge(t *testing.T) {
	const n = 20000
	r := runHelper(t, "", nil, "flood", strconv.Itoa(n))
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != n || lines[n-1] != "line "+strconv.Itoa(n) {
		t.Fatalf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestLonglineLarge(t *testing.T) {
	const n = 1 << 20
	r := runHelper(t, "", nil, "longline", strconv.Itoa(n))
	if len(r.stdout) != n+1 || strings.Count(r.stdout, "x") != n {
		t.Fatalf("got %d bytes", len(r.stdout))
	}
}

func TestEnv(t *testing.T) {
	r := runHelper(t, "", []string{"FAKECHILD_TEST=yes"}, "env")
	lines := strings.Split(r.stdout, "\n")
	for _, want := range []string{"FAKECHILD_TEST=yes", EnvVar + "=env"} {
		if !slices.Contains(lines, want) {
			t.Errorf("environment lacks %s", want)
		}
	}
}

func TestCwd(t *testing.T) {
	dir := WorkDir(t)
	r := runHelper(t, dir, nil, "cwd")
	got, err := filepath.EvalSymlinks(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("cwd %q, want %q", got, want)
	}
}

// TestHang proves that hang prints its lines and keeps running: it is
// still running when killed, so it dies of the kill, not an exit of its own.
func TestHang(t *testing.T) {
	path, argv, env := Command(t, "hang", "ready", "set")
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for _, want := range []string{"ready", "set"} {
		if !sc.Scan() || sc.Text() != want {
			t.Fatalf("line %q (err %v), want %q", sc.Text(), sc.Err(), want)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v (hang exited by itself?)", err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("hang exited with success; want killed")
	}
}

func TestUnknownHelperInChild(t *testing.T) {
	path, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path)
	cmd.Env = Env("no-such-helper")
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 {
		t.Fatalf("err %v, output %q; want exit 2", err, out)
	}
	if !strings.Contains(string(out), `unknown helper "no-such-helper"`) {
		t.Fatalf("output %q", out)
	}
}

func TestRegistry(t *testing.T) {
	r := newRegistry()
	r.register("custom", func([]string) int { return 0 })
	if err := r.declare([]string{"echo", "exit", "custom"}); err != nil {
		t.Fatal(err)
	}
	if !r.use("echo") || !r.use("custom") {
		t.Fatal("declared helper refused")
	}
	if r.use("flood") {
		t.Fatal("undeclared helper accepted")
	}
	if got := r.unused(); !slices.Equal(got, []string{"exit"}) {
		t.Fatalf("unused %v, want [exit]", got)
	}

	r = newRegistry()
	r.register("echo", nil)
	err := r.declare([]string{"nope"})
	if err == nil || !strings.Contains(err.Error(), `"echo" registered twice`) ||
		!strings.Contains(err.Error(), `unknown helper "nope"`) {
		t.Fatalf("declare error %v", err)
	}
}

func TestSpecUnknown(t *testing.T) {
	if _, _, _, err := Spec("no-such-helper"); err == nil {
		t.Fatal("Spec accepted an unknown helper")
	}
}

func TestEnvReplacesVariable(t *testing.T) {
	t.Setenv(EnvVar, "old")
	env := Env("new")
	n := 0
	for _, kv := range env {
		if strings.HasPrefix(kv, EnvVar+"=") {
			n++
			if kv != EnvVar+"=new" {
				t.Errorf("got %s", kv)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d values of %s", n, EnvVar)
	}
}
