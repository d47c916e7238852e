package supervisor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestRealAccount: with an Account, the child runs as its user, group and
// supplementary groups, with its environment entries last (they win over
// Options.Env's), and its grandchild inherits all of it; a hook keeps the
// wrapper's account and environment.
func TestRealAccount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the child as another user")
	}
	dir := t.TempDir()
	hookOut := filepath.Join(dir, "hook")
	r, pid, gpid, stop := startTree(t, func(o *Options) {
		o.Path = shareExecutable(t, o.Path)
		o.Dir = filepath.Dir(o.Path)
		o.Env = append(o.Env, "HOME=/root", "KEEP=yes")
		o.Account = &Account{UID: 65534, GID: 65533, Groups: []uint32{65534, 4242},
			Env: []string{"HOME=/nonexistent", "USER=nobody"}}
		o.Hooks.PostStart = Hook{Argv: []string{"/bin/sh", "-c", `echo "$(id -u) $HOME" > "$0"`, hookOut}}
	})
	for _, id := range []int{pid, gpid} {
		for key, want := range map[string]string{
			"Uid": "65534 65534 65534 65534", "Gid": "65533 65533 65533 65533", "Groups": "4242 65534",
		} {
			if got := fakechild.ProcStatus(t, id, key); got != want {
				t.Errorf("process %d: %s %q, want %q", id, key, got, want)
			}
		}
		env := environOf(t, id)
		for _, want := range []string{"HOME=/nonexistent", "USER=nobody", "KEEP=yes"} {
			if !env[want] {
				t.Errorf("process %d: environment lacks %s", id, want)
			}
		}
		if env["HOME=/root"] {
			t.Errorf("process %d: Options.Env's HOME won over the account's", id)
		}
	}
	waitFor(t, "the post_start hook", func() bool { b, _ := os.ReadFile(hookOut); return len(b) > 0 })
	if b, _ := os.ReadFile(hookOut); string(b) != "0 /root\n" {
		t.Errorf("hook ran as %q, want the wrapper's account and HOME (0 /root)", b)
	}
	r.log.mustLog(t, "child started", "uid=65534 gid=65533")
	if err := stop(); err != nil {
		t.Fatalf("Run = %v\n%s", err, r.log)
	}
}

// environOf returns the entries of a process's environment, from /proc
// (os/exec passes one entry per name, the last value given).
func environOf(t *testing.T, pid int) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]bool{}
	for e := range strings.SplitSeq(string(b), "\x00") {
		env[e] = true
	}
	return env
}
