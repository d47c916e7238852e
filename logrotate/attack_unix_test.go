//go:build unix

package logrotate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// These tests perform the attacks of issue 13 for real: the log directory
// belongs to another account (nobody, uid 65534), as when the wrapper runs
// as root for a service account, and a process running as that account
// plants links in it. Each test checks that a root-owned file outside the
// directory keeps its content, owner and mode, and that the output landed
// in regular files in the directory.

// attackerID is the uid and gid of the account owning the log directory.
const attackerID = 65534

func init() {
	fakechild.Register("plant", plantHelper)
	if os.Geteuid() == 0 { // the attacks run only as root
		testHelpers = append(testHelpers, "plant")
	}
}

// plantHelper is the attacker, run as attackerID by attackLab.plant:
//
//	symlink TARGET NAME   a symbolic link NAME -> TARGET
//	swap TARGET NAME      the same, made aside and renamed over NAME
//	link TARGET NAME      a hard link; exit code 3 if the kernel refuses it
//	file NAME TEXT        a regular file holding TEXT
func plantHelper(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: plant symlink|swap|link|file A B")
		return 2
	}
	a, b := args[1], args[2]
	var err error
	switch args[0] {
	case "symlink":
		err = os.Symlink(a, b)
	case "swap":
		if err = os.Symlink(a, b+".swap"); err == nil {
			err = os.Rename(b+".swap", b)
		}
	case "link":
		if err = os.Link(a, b); errors.Is(err, syscall.EPERM) {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
	case "file":
		err = os.WriteFile(a, []byte(b), 0o644)
	default:
		err = fmt.Errorf("unknown operation %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// attackLab is a log directory owned by the attacker, a root-owned file
// outside it (the target) and a copy of the test binary the attacker may
// run.
type attackLab struct {
	dir, target, exe string
	want             fileState // the target before the attack
}

// fileState is what an attack on the target could change.
type fileState struct {
	data     string
	uid, gid uint32
	mode     fs.FileMode
}

func newAttackLab(t *testing.T) *attackLab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the attack is made by uid 65534 against a file root owns")
	}
	// Not t.TempDir: the attacker must reach the log directory and the
	// binary, and t.TempDir's folder is private to root.
	shared, err := os.MkdirTemp("", "logrotate-attack-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(shared) })
	lab := &attackLab{
		dir:    filepath.Join(shared, "logs"),
		target: filepath.Join(shared, "etc", "passwd"),
		exe:    filepath.Join(shared, "attacker"),
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(self)
	for _, step := range []func() error{
		func() error { return err },
		func() error { return os.Chmod(shared, 0o755) },
		func() error { return os.Mkdir(lab.dir, 0o755) },
		func() error { return os.Chown(lab.dir, attackerID, attackerID) },
		func() error { return os.Mkdir(filepath.Dir(lab.target), 0o755) },
		func() error { return os.WriteFile(lab.target, []byte("root:x:0:0:root:/root:/bin/sh\n"), 0o644) },
		func() error { return os.WriteFile(lab.exe, bin, 0o755) },
	} {
		if err := step(); err != nil {
			t.Fatalf("set up the attack: %v", err)
		}
	}
	lab.want = stateOf(t, lab.target)
	return lab
}

func (s fileState) String() string {
	return fmt.Sprintf("%d bytes (%.12q...), uid %d, gid %d, mode %v", len(s.data), s.data, s.uid, s.gid, s.mode)
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fileState{string(data), st.Uid, st.Gid, fi.Mode()}
}

// plant runs plantHelper as the attacker and returns its exit code.
func (l *attackLab) plant(t *testing.T, args ...string) int {
	t.Helper()
	_, argv, env := fakechild.Command(t, "plant", args...)
	cmd := exec.Command(l.exe, argv...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: attackerID, Gid: attackerID}}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Logf("plant %v as uid %d: %s", args, attackerID, out)
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("run the attacker: %v", err)
	}
	return 0
}

func (l *attackLab) mustPlant(t *testing.T, args ...string) {
	t.Helper()
	if code := l.plant(t, args...); code != 0 {
		t.Fatalf("the attacker failed to plant %v (exit code %d)", args, code)
	}
}

// checkTarget fails t if the target's content, owner or mode changed.
func (l *attackLab) checkTarget(t *testing.T) {
	t.Helper()
	if got := stateOf(t, l.target); got != l.want {
		t.Errorf("the root-owned file outside the log directory changed: %s, was %s", got, l.want)
	}
}

// checkRegular fails t unless every entry of the log directory is a
// regular file with one link.
func (l *attackLab) checkRegular(t *testing.T) {
	t.Helper()
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		fi, err := os.Lstat(filepath.Join(l.dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if n := fi.Sys().(*syscall.Stat_t).Nlink; !fi.Mode().IsRegular() || n != 1 {
			t.Errorf("%s in the log directory: %v with %d links, want a regular file with one", e.Name(), fi.Mode(), n)
		}
	}
}

// checkWarned fails t unless a warning about a link reaches rec: a
// mill's pass reports once it has ended, which may be just after the
// last backup it compressed shows.
func checkWarned(t *testing.T, rec *recorder) {
	t.Helper()
	waitFor(t, "a warning about the link to reach the Logger", func() bool {
		for _, r := range rec.records() {
			if r.Level == slog.LevelWarn && strings.Contains(r.Message, "link") {
				return true
			}
		}
		return false
	})
}

// pumpAndCheck pumps lines into f, which logs to rec, and checks that
// they all reached the regular file at path, the target untouched, and
// that the planted link was reported.
func (lab *attackLab) pumpAndCheck(t *testing.T, f *File, path string, rec *recorder) {
	t.Helper()
	want := lines("out", 0, 100)
	pumpLines(t, f, want)
	lab.checkTarget(t)
	lab.checkRegular(t)
	if got := readOrEmpty(path); !bytes.Equal(got, want) {
		t.Errorf("the log file holds %d bytes, want the %d written", len(got), len(want))
	}
	checkWarned(t, rec)
}

// pumpLines sends want through a pipe into f, as a child's output.
func pumpLines(t *testing.T, f *File, want []byte) {
	t.Helper()
	p := startPump(t, f)
	writeChunks(t, p.pw, want, 20)
	p.finish(t)
}

func TestAttackSymlinkAtLogFile(t *testing.T) {
	lab := newAttackLab(t)
	path := filepath.Join(lab.dir, "app.log")
	lab.mustPlant(t, "symlink", lab.target, path)
	rec := &recorder{}
	f := openT(t, Options{Path: path, Logger: slog.New(rec)})
	lab.pumpAndCheck(t, f, path, rec)
}

func TestAttackSwapLogFileForSymlinkWhileWriting(t *testing.T) {
	lab := newAttackLab(t)
	path := filepath.Join(lab.dir, "app.log")
	rec := &recorder{}
	f := openT(t, Options{Path: path, Logger: slog.New(rec)})
	// Every write checks the path, as one does every second in service.
	checkAlways(f)
	p := startPump(t, f)
	a := lines("a", 0, 10)
	writeChunks(t, p.pw, a, 21)
	waitFor(t, "the first lines to reach the file", func() bool { return bytes.Equal(readOrEmpty(path), a) })
	// Renamed over the open file: its lines are gone, which the account
	// owning the directory may do; the child's next lines must not follow.
	lab.mustPlant(t, "swap", lab.target, path)
	b := lines("b", 0, 100)
	writeChunks(t, p.pw, b, 22)
	p.finish(t)
	lab.checkTarget(t)
	lab.checkRegular(t)
	if got := readOrEmpty(path); !bytes.Equal(got, b) {
		t.Errorf("the log file holds %d bytes, want the %d written after the swap", len(got), len(b))
	}
	checkWarned(t, rec)
}

func TestAttackHardLinkAtLogFile(t *testing.T) {
	lab := newAttackLab(t)
	path := filepath.Join(lab.dir, "app.log")
	if lab.plant(t, "link", lab.target, path) == 3 {
		// fs.protected_hardlinks (on by default on Linux) forbids linking
		// a file one neither owns nor may write; where it is off, or on
		// systems without it, the account can. Root plants the same link.
		t.Logf("uid %d may not hard-link the target here (fs.protected_hardlinks): root plants the link", attackerID)
		if err := os.Link(lab.target, path); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	f := openT(t, Options{Path: path, Logger: slog.New(rec)})
	lab.pumpAndCheck(t, f, path, rec)
}

// TestAttackSymlinkAtCompressedBackup: a plain backup of the account's
// making, and at the name its compressed copy will take a link to the
// target: the compressor used to truncate that name and chown it to the
// backup's owner.
func TestAttackSymlinkAtCompressedBackup(t *testing.T) {
	lab := newAttackLab(t)
	path := filepath.Join(lab.dir, "app.log")
	old := filepath.Join(lab.dir, "app-2001-02-03T04-05-06.789.log")
	lab.mustPlant(t, "file", old, "old backup\n")
	lab.mustPlant(t, "symlink", lab.target, old+gzipSuffix)
	rec := &recorder{}
	f := openT(t, Options{Path: path, MaxSize: 1024, Compress: Gzip, Logger: slog.New(rec)})
	want := lines("out", 0, 100) // about 5 KiB: several rotations
	pumpLines(t, f, want)
	waitFor(t, "every backup to be compressed", func() bool {
		for _, n := range backups(t, path) {
			if !strings.HasSuffix(n, gzipSuffix) {
				return false
			}
		}
		return true
	})
	lab.checkTarget(t)
	lab.checkRegular(t)
	if got := concat(readLogs(t, path)); string(got) != "old backup\n"+string(want) {
		t.Errorf("the backups and the log file hold %d bytes, want the old backup and the %d written", len(got), len(want))
	}
	checkWarned(t, rec)
}
