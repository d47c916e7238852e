package wrapper

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// asNobody runs a shell script as uid and gid 65534: the attacker.
func asNobody(t *testing.T, script string) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the attacker could not %q: %v\n%s", script, err, out)
	}
}

// TestAttackInstallRefusesFilesOthersCanChange: for each file the service
// trusts (the YAML, its directory, the env_file, the program), uid 65534
// first shows that it can change it, then `wrapper install` must refuse
// (exit 2, naming the file and who can change it) and write no unit;
// with --force it installs and warns. Before the check install wrote a
// unit that ran whatever the attacker put there, as the service account
// or root.
func TestAttackInstallRefusesFilesOthersCanChange(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as uid 65534")
	}
	name, _ := serviceAccount(t)
	tests := []struct {
		name   string
		attack func(t *testing.T, dir, cfg string) // makes a file changeable by 65534 and changes it
		want   string                              // in the refusal, after the path
	}{
		{"YAML writable by everybody", func(t *testing.T, dir, cfg string) {
			chmod(t, cfg, 0o666)
			asNobody(t, "echo '# the attacker was here' >> "+cfg)
		}, "svc.yaml: writable by every user (mode 0666)"},
		{"YAML's directory owned by the attacker", func(t *testing.T, dir, cfg string) {
			chownPath(t, dir, 65534, 65534)
			asNobody(t, "cd "+dir+" && cp svc.yaml mine && mv -f mine svc.yaml")
		}, ": owned by uid 65534 (nobody), who can change it"},
		{"env_file writable by the attacker's group", func(t *testing.T, dir, cfg string) {
			env := writeFile(t, dir, "app.env", "A=1\n")
			chownPath(t, env, 0, 65534)
			chmod(t, env, 0o664)
			writeFile(t, dir, "svc.yaml", readFile(t, cfg)+"env_file: app.env\n")
			asNobody(t, "echo B=2 >> "+env)
		}, "app.env: writable by group nogroup (gid 65534) (mode 0664), which includes "},
		{"program in the attacker's directory", func(t *testing.T, dir, cfg string) {
			bin := filepath.Join(dir, "bin")
			if err := os.Mkdir(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			chownPath(t, bin, 65534, 65534)
			asNobody(t, "cp /bin/sh "+bin+"/app")
			writeFile(t, dir, "svc.yaml", strings.Replace(readFile(t, cfg), "executable: /bin/sh", "executable: bin/app", 1))
		}, "/bin: owned by uid 65534 (nobody)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSystemd(t, true, 0)
			dir := filepath.Join(sharedDir(t, 0o755), "app")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			cfg := serviceYAML(t, dir, "  user: "+name+"\n")
			tt.attack(t, dir, cfg)
			code, _, stderr := runMain(t, "install", "--config", cfg)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "--force") {
				t.Fatalf("install: code %d, want %d with %q and --force; stderr:\n%s", code, ExitUsage, tt.want, stderr)
			}
			if _, err := os.Stat(systemdManager.UnitPath("svc")); !os.IsNotExist(err) {
				t.Errorf("a unit was written although install refused: %v", err)
			}
			checkCalls(t, f)
			code, _, stderr = runMain(t, "install", "--force", "--config", cfg)
			if code != ExitOK || !strings.Contains(stderr, "warning: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("install --force: code %d, want a warning %q; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func chownPath(t *testing.T, path string, uid, gid int) {
	t.Helper()
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
