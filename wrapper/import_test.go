package wrapper

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/migrate"
)

// provide creates what the imported s names, so that the wrapper's loader
// finds it: the programs (executable, hooks) and the working directory.
// base is the YAML's folder (its ${BASE}). A program named without a
// folder goes in a folder put on PATH. Paths are taken as this system
// reads them: on Linux C:\x is a plain name and /tmp/a\b.exe is the file
// a\b.exe in /tmp, which is exactly where the loader looks.
func provide(t *testing.T, base string, s migrate.Service) {
	t.Helper()
	resolve := func(p string) string {
		return strings.ReplaceAll(strings.ReplaceAll(p, "${BASE}", base), "$$", "$")
	}
	progs := []string{s.Executable}
	for _, h := range []*migrate.Hook{s.Hooks.PreStart, s.Hooks.PostStart, s.Hooks.PreStop, s.Hooks.PostStop} {
		if h != nil {
			progs = append(progs, h.Command[0])
		}
	}
	bin := filepath.Join(base, "path-bin")
	for _, p := range progs {
		p = resolve(p)
		if !filepath.IsAbs(p) {
			if err := os.MkdirAll(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", bin)
			p = filepath.Join(bin, p)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if wd := resolve(s.WorkingDirectory); wd != "" {
		if !filepath.IsAbs(wd) {
			wd = filepath.Join(base, wd)
		}
		if err := os.MkdirAll(wd, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// TestImportWinSWFixturesLoad: every WinSW fixture of testdata/migrate,
// imported with the YAML beside the XML (%BASE% is ${BASE}) and in another
// folder (%BASE% is the XML's folder), gives a file the wrapper's own
// loader accepts once the programs it names exist; every setting not
// imported is also on stderr.
func TestImportWinSWFixturesLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "migrate", "*.xml"))
	if err != nil || len(files) < 12 {
		t.Fatalf("found %d WinSW fixtures (%v)", len(files), err)
	}
	for _, f := range files {
		for _, beside := range []bool{true, false} {
			base := strings.TrimSuffix(filepath.Base(f), ".xml")
			t.Run(base+map[bool]string{true: "/beside", false: "/elsewhere"}[beside], func(t *testing.T) {
				root := t.TempDir()
				svc, outDir := filepath.Join(root, "svc"), filepath.Join(root, "wrapper")
				if beside {
					outDir = svc
				}
				for _, d := range []string{svc, outDir} {
					if err := os.MkdirAll(d, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				xml := writeFile(t, svc, base+".xml", string(data))
				s, err := migrate.WinSW(data, migrate.WinSWOptions{Dir: svc, BaseName: base, ConfigDir: outDir})
				if err != nil {
					t.Fatal(err)
				}
				provide(t, outDir, s)
				out := filepath.Join(outDir, base+".yaml")
				code, stdout, stderr := runMain(t, "import", "winsw", xml, "--out", out)
				if code != ExitOK || !strings.Contains(stdout, "wrote "+out) || strings.Contains(stderr, "does not load") {
					t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				for _, u := range s.Unmapped {
					if !strings.Contains(stderr, "wrapper import: not imported: "+u+"\n") {
						t.Errorf("stderr does not list %q:\n%s", u, stderr)
					}
				}
				cfg, err := config.Load(out, config.Options{})
				if err != nil {
					t.Fatalf("the imported YAML does not load: %v", err)
				}
				if cfg.Name != s.Name || len(cfg.Arguments) != len(s.Arguments) || cfg.Service.Account != strings.ReplaceAll(s.SCM.Account, "$$", "$") {
					t.Errorf("loaded name %q, args %q, account %q", cfg.Name, cfg.Arguments, cfg.Service.Account)
				}
			})
		}
	}
}

// TestImportNSSMLoads: the YAML of an NSSM service with the common
// settings loads with the wrapper's loader and means what NSSM did.
func TestImportNSSMLoads(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app", "orders.exe")
	provide(t, dir, migrate.Service{Executable: app})
	esz := func(s string) migrate.Value { return migrate.Value{Kind: migrate.ExpandString, Str: s} }
	dw := func(n uint64) migrate.Value { return migrate.Value{Kind: migrate.DWord, Num: n} }
	keys := migrate.NSSMKeys{
		Name: "orders",
		Service: migrate.Values{"Start": dw(3), "ObjectName": {Kind: migrate.String, Str: `NT AUTHORITY\LocalService`},
			"DisplayName": {Kind: migrate.String, Str: "Orders"}, "DependOnService": {Kind: migrate.MultiString, Strs: []string{"Tcpip"}}},
		Parameters: migrate.Values{
			"Application": esz(app), "AppParameters": esz(`--port 8080 --name "a b" --price $5`),
			"AppEnvironmentExtra": {Kind: migrate.MultiString, Strs: []string{"MODE=test", "PRICE=$5"}},
			"AppStdout":           esz(filepath.Join(dir, "logs", "out.log")), "AppStderr": esz(filepath.Join(dir, "logs", "err.log")),
			"AppRotateFiles": dw(1), "AppRotateOnline": dw(1), "AppRotateBytes": dw(1 << 20),
			"AppRestartDelay": dw(250), "AppThrottle": dw(5000), "AppStopMethodSkip": dw(2), "AppStopMethodConsole": dw(10000),
			"AppPriority": dw(0x40),
		},
		Exit: migrate.Values{"": {Kind: migrate.String, Str: "Restart"}, "0": {Kind: migrate.String, Str: "Exit"}},
	}
	s, err := migrate.NSSM(keys, migrate.NSSMOptions{ConfigDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	yaml := migrate.Render(s, "test")
	cfg, err := config.Parse(filepath.Join(dir, "orders.yaml"), yaml, config.Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	r := cfg.Restart
	if cfg.Executable != app || !slices.Equal(cfg.Arguments, []string{"--port", "8080", "--name", "a b", "--price", "$5"}) ||
		!slices.Equal(cfg.Env, []string{"MODE=test", "PRICE=$5"}) || cfg.WorkingDirectory != filepath.Join(dir, "app") {
		t.Errorf("command: %q %q %q in %s", cfg.Executable, cfg.Arguments, cfg.Env, cfg.WorkingDirectory)
	}
	if r.Policy != "on-failure" || !slices.Equal(r.SuccessExitCodes, []int{0}) || r.Delay != 250*time.Millisecond ||
		r.ResetAfter != 5*time.Second || r.MaxFailures != 0 {
		t.Errorf("restart: %+v", r)
	}
	if cfg.Stop.Timeout != 10*time.Second || cfg.Stop.WindowTimeout != 0 {
		t.Errorf("stop: %+v", cfg.Stop)
	}
	if cfg.Log.Dir != filepath.Join(dir, "logs") || cfg.Log.Stdout != filepath.Join(dir, "logs", "out.log") ||
		cfg.Log.MaxSize != 1<<20 || cfg.Log.MaxFiles != 0 {
		t.Errorf("log: %+v", cfg.Log)
	}
	if cfg.Service.StartMode != "manual" || cfg.Service.Account != `NT AUTHORITY\LocalService` || !slices.Equal(cfg.Service.Dependencies, []string{"Tcpip"}) {
		t.Errorf("service: %+v", cfg.Service)
	}
	if cfg.Priority != "idle" {
		t.Errorf("priority %q, want idle (AppPriority IDLE_PRIORITY_CLASS)", cfg.Priority)
	}
}

// TestImportQuoting: strings with every character YAML or the wrapper's
// expansion treats specially come back from the loader as they were
// (the wrapper expands what NSSM and WinSW expanded, %VAR%, and nothing
// else).
func TestImportQuoting(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app.exe")
	provide(t, dir, migrate.Service{Executable: app})
	nasty := []string{`"quoted" \back\slash\ 'single'`, "# hash: colon, - dash, [b] {c} &a *r !t |p >f @x `y`",
		"$5 $HOME ${HOME} $$ %NOT_SET% 100%", "tab\tand ü€ and \u00a0nbsp", "yes", "~", "null", "0x10", " lead and trail "}
	esz := func(s string) migrate.Value { return migrate.Value{Kind: migrate.ExpandString, Str: s} }
	var env []string
	for i, v := range nasty {
		env = append(env, "V"+string(rune('A'+i))+"="+v)
	}
	var line []string
	for _, v := range nasty {
		line = append(line, `"`+strings.ReplaceAll(v, `"`, `\"`)+`"`)
	}
	keys := migrate.NSSMKeys{Name: "quoting",
		Service:    migrate.Values{"Description": {Kind: migrate.String, Str: nasty[1]}},
		Parameters: migrate.Values{"Application": esz(app), "AppParameters": esz(strings.Join(line, " ")), "AppEnvironmentExtra": {Kind: migrate.MultiString, Strs: env}},
	}
	s, err := migrate.NSSM(keys, migrate.NSSMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	yaml := migrate.Render(s, "test")
	cfg, err := config.Parse(filepath.Join(dir, "quoting.yaml"), yaml, config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	if !slices.Equal(cfg.Arguments, nasty) || !slices.Equal(cfg.Env, env) || cfg.Description != strings.Join(strings.Fields(nasty[1]), " ") {
		t.Errorf("loaded:\narguments %q\nenv %q\ndescription %q\nYAML:\n%s", cfg.Arguments, cfg.Env, cfg.Description, yaml)
	}
}

// TestImportCLI: the command's refusals and exit codes.
func TestImportCLI(t *testing.T) {
	dir := t.TempDir()
	xml := writeFile(t, dir, "app.xml", "<service><id>app</id><executable>app.exe</executable></service>")
	taken := writeFile(t, dir, "taken.yaml", "keep me\n")
	type cliCase struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}
	tests := []cliCase{
		{"nothing", []string{"import"}, ExitUsage, "", "want nssm NAME or winsw FILE.xml"},
		{"unknown kind", []string{"import", "servy", "x"}, ExitUsage, "", "want nssm NAME or winsw FILE.xml"},
		{"missing file", []string{"import", "winsw", filepath.Join(dir, "none.xml")}, ExitUsage, "", "none.xml"},
		{"not WinSW", []string{"import", "winsw", taken}, ExitUsage, "", "read WinSW XML"},
		{"printed", []string{"import", "winsw", xml}, ExitOK, "\nname: \"app\"\nexecutable: \"app.exe\"\n", "does not load"},
		{"out exists", []string{"import", "winsw", xml, "--out", taken}, ExitUsage, "", "taken.yaml exists"},
		{"replace without out", []string{"import", "winsw", xml, "--replace"}, ExitUsage, "", "--replace needs --out FILE"},
		{"flag before the target", []string{"import", "winsw", "--out", "x.yaml", xml}, ExitUsage, "", "unexpected argument"},
	}
	if runtime.GOOS != "windows" {
		tests = append(tests,
			cliCase{"nssm needs Windows", []string{"import", "nssm", "orders"}, ExitUsage, "", "nssm needs Windows"},
			cliCase{"replace needs Windows", []string{"import", "winsw", xml, "--out", filepath.Join(dir, "new.yaml"), "--replace"},
				ExitUsage, "", "--replace needs Windows"})
	}
	for _, tt := range tests {
		code, stdout, stderr := runMain(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", tt.name, code, tt.code, stdout, stderr)
		}
	}
	if b, _ := os.ReadFile(taken); string(b) != "keep me\n" {
		t.Errorf("an existing --out file was overwritten: %q", b)
	}
}
