package supervisor

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAttackStdinLinkToRootFile: the program runs as uid 65534, whose
// directory holds the stdin file; that account replaces the file with a
// link to a file only root may read. The wrapper, as root, opens the path:
// the program must not get what its account could not read itself (the
// start fails, naming the file), where it used to read the secret.
func TestAttackStdinLinkToRootFile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the attack is a weaker account's against root")
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("root only\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "wrapper-stdin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "input.txt")
	ln := exec.Command("/bin/ln", "-s", secret, input) // planted by the account itself
	ln.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := ln.CombinedOutput(); err != nil {
		t.Fatalf("uid 65534 plants the link: %v\n%s", err, out)
	}
	r := newReal(t, "cat", nil, func(o *Options) {
		o.Path = shareExecutable(t, o.Path)
		o.Dir = filepath.Dir(o.Path)
		o.Account = &Account{UID: 65534, GID: 65534}
		o.Stdin = Stdin{Mode: StdinFile, File: input}
	})
	err = r.run(t)
	if got := strings.Join(r.out.Lines(), "\n"); strings.Contains(got, "root only") {
		t.Fatalf("the program, as uid 65534, read root's file through the link: %q", got)
	}
	var ee *ExitError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "may not read it") || !strings.Contains(err.Error(), input) {
		t.Fatalf("Run = %v, want a start failure naming the stdin file", err)
	}

	// The same file readable by the account goes through.
	if err := os.Remove(input); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(input, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	r = newReal(t, "cat", nil, func(o *Options) {
		o.Path = shareExecutable(t, o.Path)
		o.Dir = filepath.Dir(o.Path)
		o.Account = &Account{UID: 65534, GID: 65534}
		o.Stdin = Stdin{Mode: StdinFile, File: input}
	})
	if err := r.run(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := r.out.Lines(); len(got) != 1 || got[0] != "mine" {
		t.Fatalf("stdout %q, want the account's own file", got)
	}
}
