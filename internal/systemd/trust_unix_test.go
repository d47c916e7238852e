//go:build unix

package systemd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrust builds trees with owners and modes as an attacker would find
// them and checks what Trust reports: the file, each directory above it,
// each link and its target's directories; sticky directories and groups
// without outsiders pass. Needs root to hand files to uid 65534.
func TestTrust(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files to another account")
	}
	etc := t.TempDir()
	groups := writeTestFile(t, etc, "group", "root:x:0:\nstaff:x:50:intruder\nempty:x:51:\nnogroup:x:65534:\n", 0o644)
	passwd := writeTestFile(t, etc, "passwd", "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n", 0o644)
	for _, tt := range trustCases() {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			trust := NewTrust()
			trust.groupFile, trust.passwdFile = groups, passwd
			got, err := trust.Check(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findings %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("finding %q, want it to contain %q", got[i], w)
				}
			}
		})
	}
}

// trustCase is a tree built by setup and what Trust must find in it.
type trustCase struct {
	name  string
	setup func(t *testing.T, dir string) string // returns the path to check
	want  []string                              // substrings, one per finding, in order
}

// trustCases are the trees of TestTrust.
func trustCases() []trustCase {
	return []trustCase{
		{"root's file", func(t *testing.T, dir string) string { return writeTestFile(t, dir, "f", "", 0o644) }, nil},
		{"owned by another", func(t *testing.T, dir string) string {
			return chown(t, writeTestFile(t, dir, "f", "", 0o644), 65534, 0)
		}, []string{"/f: owned by uid 65534"}},
		{"world-writable file", func(t *testing.T, dir string) string { return writeTestFile(t, dir, "f", "", 0o666) },
			[]string{"/f: writable by every user (mode 0666)"}},
		{"world-writable directory", func(t *testing.T, dir string) string {
			return writeTestFile(t, mkTestDir(t, dir, "d", 0o777), "f", "", 0o644)
		}, []string{"/d: writable by every user (mode 0777)"}},
		{"sticky directory", func(t *testing.T, dir string) string {
			return writeTestFile(t, mkTestDir(t, dir, "d", 0o777|os.ModeSticky), "f", "", 0o644)
		}, nil},
		{"another's file in a sticky directory", func(t *testing.T, dir string) string {
			return chown(t, writeTestFile(t, mkTestDir(t, dir, "d", 0o777|os.ModeSticky), "f", "", 0o644), 65534, 0)
		}, []string{"/d/f: owned by uid 65534"}},
		{"group with an outsider", func(t *testing.T, dir string) string {
			return chown(t, writeTestFile(t, dir, "f", "", 0o664), 0, 50)
		}, []string{"/f: writable by group staff (gid 50) (mode 0664), which includes intruder"}},
		{"group of a primary member", func(t *testing.T, dir string) string {
			return chown(t, writeTestFile(t, dir, "f", "", 0o664), 0, 65534)
		}, []string{"which includes nobody (uid 65534)"}},
		{"group root", func(t *testing.T, dir string) string {
			return chown(t, writeTestFile(t, dir, "f", "", 0o664), 0, 0)
		}, nil},
		{"group without members", func(t *testing.T, dir string) string {
			return chown(t, writeTestFile(t, dir, "f", "", 0o664), 0, 51)
		}, nil},
		{"group /etc/group does not list", func(t *testing.T, dir string) string {
			return chown(t, writeTestFile(t, dir, "f", "", 0o664), 0, 4242)
		}, []string{"gid 4242 (mode 0664), which includes members that /etc/group does not list"}},
		{"link into another's directory", func(t *testing.T, dir string) string {
			target := writeTestFile(t, chown(t, mkTestDir(t, dir, "theirs", 0o755), 65534, 0), "f", "", 0o644)
			return symlink(t, target, filepath.Join(mkTestDir(t, dir, "mine", 0o755), "f"))
		}, []string{"/theirs: owned by uid 65534"}},
		{"relative link through ..", func(t *testing.T, dir string) string {
			writeTestFile(t, mkTestDir(t, dir, "open", 0o777), "f", "", 0o644)
			return symlink(t, "../open/f", filepath.Join(mkTestDir(t, dir, "mine", 0o755), "f"))
		}, []string{"/open: writable by every user"}},
		{"another's link", func(t *testing.T, dir string) string {
			link := symlink(t, writeTestFile(t, dir, "f", "", 0o644), filepath.Join(dir, "l"))
			if err := os.Lchown(link, 65534, 0); err != nil {
				t.Fatal(err)
			}
			return link
		}, []string{"/l: owned by uid 65534"}},
	}
}

// TestTrustReportsOnce: a directory shared by two files is reported once,
// and a trusted uid other than root passes.
func TestTrustReportsOnce(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files to another account")
	}
	dir := mkTestDir(t, t.TempDir(), "d", 0o777)
	trust := NewTrust(65534)
	a, err := trust.Check(writeTestFile(t, dir, "a", "", 0o644))
	if err != nil || len(a) != 1 {
		t.Fatalf("first file: %q, %v; want the directory once", a, err)
	}
	b, err := trust.Check(chown(t, writeTestFile(t, dir, "b", "", 0o644), 65534, 65534))
	if err != nil || len(b) != 0 {
		t.Errorf("second file: %q, %v; want nothing (directory reported, uid 65534 trusted)", b, err)
	}
}

func writeTestFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

func mkTestDir(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func chown(t *testing.T, path string, uid, gid int) string {
	t.Helper()
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
	return path
}

func symlink(t *testing.T, target, link string) string {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	return link
}
