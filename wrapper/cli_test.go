package wrapper

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runMain calls Main in-process and returns its code and outputs.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCLI(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{"no args prints usage", nil, ExitUsage, "", "Usage:"},
		{"help", []string{"help"}, ExitOK, "Commands:", ""},
		{"--help", []string{"--help"}, ExitOK, "Exit codes:", ""},
		{"help of a command", []string{"help", "run"}, ExitOK, "-config", ""},
		{"command --help", []string{"validate", "--help"}, ExitOK, "-print", ""},
		{"help of unknown", []string{"help", "nope"}, ExitUsage, "", `unknown command "nope"`},
		{"unknown command", []string{"frobnicate"}, ExitUsage, "", `unknown command "frobnicate"`},
		{"bad flag", []string{"run", "--nope"}, ExitUsage, "", "flag provided but not defined: -nope"},
		{"stray argument", []string{"validate", "extra"}, ExitUsage, "", `unexpected argument "extra"`},
		{"version", []string{"version"}, ExitOK, "wrapper ", ""},
		{"--version", []string{"--version"}, ExitOK, "wrapper ", ""},
		{"missing config file", []string{"validate", "--config", "/nonexistent/x.yaml"}, ExitUsage, "", "x.yaml: cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
		})
	}
}

// TestCommandHelpOnce: every command's --help prints its usage exactly once,
// to stdout, and a bad flag prints no usage to stdout.
func TestCommandHelpOnce(t *testing.T) {
	for name, cmd := range commands() {
		code, stdout, _ := runMain(t, name, "--help")
		want := "Usage: wrapper " + cmd.name
		if name == "help" {
			want = "Usage:\n  wrapper <command>"
		}
		if code != ExitOK || strings.Count(stdout, want) != 1 {
			t.Errorf("%s --help: exit %d, stdout:\n%s", name, code, stdout)
		}
		if name == "help" {
			continue // help takes a command name, not flags
		}
		checkHelpText(t, name, cmd.summary, stdout)
		if code, stdout, _ := runMain(t, name, "--no-such-flag"); code != ExitUsage || stdout != "" {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q", name, code, stdout)
		}
	}
}

// checkHelpText: a command's --help says what the command does (its
// summary, as a sentence), and every flag of the synopsis is listed below
// spelled the same way (--config FILE, -n N), and no flag is listed that
// the synopsis leaves out.
func checkHelpText(t *testing.T, name, summary, help string) {
	t.Helper()
	synopsis, body, _ := strings.Cut(help, "\n")
	if summary != "" && !strings.Contains(body, strings.ToUpper(summary[:1])+summary[1:]+".") {
		t.Errorf("%s --help does not say what it does (%q):\n%s", name, summary, help)
	}
	listed := regexp.MustCompile(`(?m)^  (--?[a-z-]+)( [A-Z]+)?$`).FindAllStringSubmatch(body, -1)
	inSynopsis := regexp.MustCompile(`[\[| ](--?[a-z-]+)( [A-Z]+)?`).FindAllStringSubmatch(synopsis, -1)
	want := map[string]bool{}
	for _, m := range inSynopsis {
		want[m[1]+m[2]] = true
	}
	for _, m := range listed {
		flag := m[1] + m[2]
		if !want[flag] {
			t.Errorf("%s --help lists %q, which its synopsis %q does not spell so", name, flag, synopsis)
		}
		delete(want, flag)
	}
	for f := range want {
		t.Errorf("%s --help: synopsis flag %q is not listed", name, f)
	}
}

func TestHiddenCommandsStayOutOfUsage(t *testing.T) {
	_, stdout, _ := runMain(t, "help")
	if strings.Contains(stdout, "demo-child") {
		t.Errorf("usage lists the hidden demo-child command:\n%s", stdout)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	good := writeFile(t, dir, "good.yaml", "name: good\nexecutable: "+exe+"\n")
	code, stdout, stderr := runMain(t, "validate", "--config", good)
	if code != ExitOK || !strings.Contains(stdout, "good.yaml: ok") {
		t.Fatalf("valid file: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runMain(t, "validate", "--config", good, "--print")
	if code != ExitOK || !strings.Contains(stdout, `"Name": "good"`) {
		t.Fatalf("--print: code %d, stdout %q", code, stdout)
	}
	bad := writeFile(t, dir, "bad.yaml", "name: bad\nrestart:\n  dealy: 1s\n  policy: sometimes\n")
	code, _, stderr = runMain(t, "validate", "--config", bad)
	if code != ExitUsage {
		t.Fatalf("invalid file: code %d, want %d", code, ExitUsage)
	}
	for _, want := range []string{bad + ":3: restart.dealy", bad + ":4: restart.policy", "executable", "problems)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestValidatePrintMasksEnv: validate --print names every env and env_file
// entry and shows none of their values, nor the heartbeat URL's path,
// which is a dead man's switch's secret.
func TestValidatePrintMasksEnv(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "secrets.env", "DB_PASSWORD=s3cr3t-from-file\nSHARED=s3cr3t-overridden\n")
	cfg := writeFile(t, dir, "svc.yaml", "name: svc\nexecutable: "+strconv.Quote(exe)+
		"\nenv_file: secrets.env\nenv:\n  API_TOKEN: s3cr3t-from-yaml\n  SHARED: s3cr3t-env-wins\n"+
		"heartbeat: {url: \"https://hc-ping.example/s3cr3t-ping-uuid?k=s3cr3t\"}\n")
	code, stdout, stderr := runMain(t, "validate", "--config", cfg, "--print")
	if code != ExitOK {
		t.Fatalf("validate --print: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stdout, "s3cr3t") {
		t.Errorf("validate --print shows a value:\n%s", stdout)
	}
	var printed struct {
		Env       []string
		Heartbeat struct{ URL string }
	}
	if err := json.Unmarshal([]byte(stdout), &printed); err != nil {
		t.Fatal(err)
	}
	if printed.Heartbeat.URL != "https://hc-ping.example/***" {
		t.Errorf("printed heartbeat URL %q, want only its host", printed.Heartbeat.URL)
	}
	want := []string{"DB_PASSWORD=***", "SHARED=***", "API_TOKEN=***"}
	if !slices.Equal(printed.Env, want) {
		t.Errorf("printed Env = %q, want %q", printed.Env, want)
	}
}

// TestValidateRefusesLogDirHoldingWrapper: the wrapper tells the loader
// where its own executable is, and a log directory holding it is refused.
func TestValidateRefusesLogDirHoldingWrapper(t *testing.T) {
	exe, err := executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, t.TempDir(), "svc.yaml", "name: svc\nexecutable: "+strconv.Quote(exe)+
		"\nlog: {dir: "+strconv.Quote(filepath.Dir(exe))+"}\n")
	code, _, stderr := runMain(t, "validate", "--config", cfg)
	if code != ExitUsage || !strings.Contains(stderr, cfg+":3: log.dir: ") ||
		!strings.Contains(stderr, "the wrapper executable ("+exe+")") {
		t.Errorf("validate: exit %d, want %d and a log.dir problem naming the wrapper executable\n%s", code, ExitUsage, stderr)
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
