package wrapper

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() {
	platformHelpers = append(platformHelpers, "replace")
	// replace PATH DATA: replaceFile(PATH, DATA) in a process of its own,
	// so a test can run it as another user.
	fakechild.Register("replace", func(args []string) int {
		if err := replaceFile(args[0], []byte(args[1])); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	})
}

// inode returns the inode number of path.
func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// TestReplaceFileSwapsTwoFiles: on Linux the status file and its spare
// trade names, so after the first two writes no call creates or frees an
// inode (the cost replaceFile avoids), the spare holds the previous
// version, and a reader that opened the file keeps a whole old version
// until the next swap.
func TestReplaceFileSwapsTwoFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "svc.status.json")
	spare := statusSpare(path)
	write := func(data string) {
		t.Helper()
		if err := replaceFile(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	write("one\n")
	write("two, longer\n")
	inodes := map[uint64]bool{inode(t, path): true, inode(t, spare): true}
	if len(inodes) != 2 {
		t.Fatalf("status file and spare share an inode")
	}
	held, err := os.Open(path) // a reader holding "two, longer"
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	write("three\n")
	if got, _ := os.ReadFile(spare); string(got) != "two, longer\n" {
		t.Errorf("spare holds %q, want the previous version", got)
	}
	buf := make([]byte, 64)
	if n, _ := held.Read(buf); string(buf[:n]) != "two, longer\n" {
		t.Errorf("a reader that opened the file before the swap reads %q", buf[:n])
	}
	for i := range 5 {
		write(fmt.Sprintf("write %d\n", i))
		if !inodes[inode(t, path)] || !inodes[inode(t, spare)] {
			t.Fatalf("write %d made a new inode", i)
		}
	}
}

// TestReplaceFileTakesOverAForeignSpare: a spare the service account cannot
// write (left by root, say, from a `sudo wrapper run`) is replaced by one of
// its own, in a directory it may write; the status stays up to date. Run as
// user nobody when the test runs as root, as itself otherwise.
func TestReplaceFileTakesOverAForeignSpare(t *testing.T) {
	dir := sharedDir(t, 0o777) // the other user writes here
	path := filepath.Join(dir, "svc.status.json")
	spare := writeFile(t, dir, "svc.status.json.tmp", "left by someone else\n")
	if err := os.Chmod(spare, 0o444); err != nil {
		t.Fatal(err)
	}
	exe, argv, env := fakechild.Command(t, "replace", path, "{\"state\": \"running\"}\n")
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// root writes any file: run as nobody, for whom root's 0444
		// spare is read-only.
		if err := os.Chown(spare, 0, 0); err != nil {
			t.Fatal(err)
		}
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		exe = copyExecutable(t, exe, dir)
	}
	cmd := exec.Command(exe, argv...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("replaceFile as another user than the spare's: %v: %s", err, out)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "{\"state\": \"running\"}\n" {
		t.Errorf("status file: %q, %v", got, err)
	}
	if b, err := os.ReadFile(spare); err == nil && strings.Contains(string(b), "someone else") {
		t.Errorf("the foreign spare is still there: %q", b)
	}
}
