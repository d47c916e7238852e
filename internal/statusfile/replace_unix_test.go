//go:build unix

package statusfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// attacker is the account that owns the log directory in the attack
// tests: nobody (65534), a weaker account than the root wrapper.
var attacker = &syscall.Credential{Uid: 65534, Gid: 65534}

// asAttacker runs argv as the attacker and fails the test if it fails.
func asAttacker(t *testing.T, argv ...string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: attacker}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("as uid %d: %v: %v: %s", attacker.Uid, argv, err, out)
	}
}

// TestReplaceFollowsNoLink performs the attack of issue 13: the account
// that owns the log directory plants links where the root wrapper writes
// its status (the file and the spare name older versions wrote through);
// the root-owned targets must stay as they were.
func TestReplaceFollowsNoLink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the attack needs root (the wrapper) and uid 65534 (the attacker)")
	}
	top := t.TempDir()
	// t.TempDir's folder and its parent are 0700: open them to the attacker.
	for _, d := range []string{filepath.Dir(top), top} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(top, "shadow")
	if err := os.WriteFile(secret, []byte("root:secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	logDir := filepath.Join(top, "logs")
	if err := os.Mkdir(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(logDir, int(attacker.Uid), int(attacker.Gid)); err != nil {
		t.Fatal(err)
	}
	path := Path(logDir, "svc")
	asAttacker(t, "ln", "-s", secret, path)
	asAttacker(t, "ln", "-s", secret, path+".tmp")
	for range 3 {
		if err := Replace(path, []byte("{\"state\": \"running\"}\n")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(secret)
	if err != nil || !bytes.Equal(got, []byte("root:secret\n")) {
		t.Fatalf("the target changed: %q, %v", got, err)
	}
	fi, err := os.Stat(secret)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Fatalf("the target's mode or owner changed: %v, %v", fi.Mode(), err)
	}
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the status file is not a regular file after the write: %v, %v", fi.Mode(), err)
	}
}

// TestReplaceReaderSeesWholeVersions: a reader that opened the file keeps
// reading the version it opened, whole, however many replaces follow.
// (Windows cannot rename over an open file: there an update made while a
// reader holds the file fails and the next one lands, so readers read and
// close at once.)
func TestReplaceReaderSeesWholeVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "svc.status.json")
	if err := Replace(path, []byte("first version, the long one\n")); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, v := range []string{"second\n", "third, longer than the second\n"} {
		if err := Replace(path, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 100)
	n, _ := held.Read(buf)
	if got := string(buf[:n]); got != "first version, the long one\n" {
		t.Errorf("held reader read %q, want the first version whole", got)
	}
}
