//go:build unix

package safefs

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestOpenFileNeverFollowsLinks plants each kind of link at the name and
// opens it with the most dangerous flags: create, truncate, write.
func TestOpenFileNeverFollowsLinks(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "precious")
	tests := []struct {
		name  string
		plant func(dir string) error
	}{
		{"symlink out of the directory", func(dir string) error {
			return os.Symlink(outside, filepath.Join(dir, "app.log"))
		}},
		{"symlink within the directory", func(dir string) error {
			// os.Root.OpenFile follows this one.
			return os.Symlink("inside", filepath.Join(dir, "app.log"))
		}},
		{"dangling symlink", func(dir string) error {
			return os.Symlink(outside+".new", filepath.Join(dir, "app.log"))
		}},
		{"hard link", func(dir string) error {
			return os.Link(outside, filepath.Join(dir, "app.log"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, dir := openRoot(t)
			for _, p := range []string{outside, filepath.Join(dir, "inside")} {
				if err := os.WriteFile(p, []byte("keep\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.plant(dir); err != nil {
				t.Fatal(err)
			}
			for _, flag := range []int{os.O_RDWR | os.O_CREATE | os.O_TRUNC, os.O_WRONLY | os.O_APPEND, os.O_RDONLY} {
				f, err := OpenFile(root, "app.log", flag, 0o600)
				if err == nil {
					_, _ = f.WriteString("written\n")
					_ = f.Close()
				}
				if !errors.Is(err, ErrLink) {
					t.Errorf("flag %#x: %v, want ErrLink", flag, err)
				}
			}
			if _, err := OpenFile(root, "app.log", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); !errors.Is(err, fs.ErrExist) {
				t.Errorf("O_EXCL: %v, want fs.ErrExist", err)
			}
			for _, p := range []string{outside, filepath.Join(dir, "inside")} {
				if b, err := os.ReadFile(p); err != nil || string(b) != "keep\n" {
					t.Errorf("%s = %q, %v: the link was followed", p, b, err)
				}
			}
			if _, err := os.Lstat(outside + ".new"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the dangling link's target was created")
			}
		})
	}
}

// TestOpenFileFIFODoesNotBlock: a FIFO planted at the name must not hang
// the open (O_WRONLY blocks until a reader comes without O_NONBLOCK).
func TestOpenFileFIFODoesNotBlock(t *testing.T) {
	root, dir := openRoot(t)
	if err := syscall.Mkfifo(filepath.Join(dir, "app.log"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, flag := range []int{os.O_WRONLY | os.O_APPEND | os.O_CREATE, os.O_RDWR, os.O_RDONLY} {
		done := make(chan error, 1)
		go func() {
			f, err := OpenFile(root, "app.log", flag, 0o600)
			if err == nil {
				_ = f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("flag %#x: %v, want ErrNotRegular", flag, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("flag %#x: open of a FIFO blocked", flag)
		}
	}
}

// TestOpenFileIsBlocking: the file returned behaves as a plain file (the
// O_NONBLOCK used for the open is cleared).
func TestOpenFileIsBlocking(t *testing.T) {
	root, _ := openRoot(t)
	f, err := OpenFile(root, "a.log", os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conn, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	var ferr error
	if err := conn.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || ferr != nil {
		t.Fatalf("fcntl: %v %v", err, ferr)
	}
	if flags&unix.O_NONBLOCK != 0 {
		t.Errorf("file left in non-blocking mode")
	}
}

// TestReadDirThroughTheHandle: ReadDir lists the directory the Root holds,
// not whatever its path names by now, and gives each entry the type of the
// name itself: a symbolic link to a directory is a link, not a directory,
// and its Info is the link's.
func TestReadDirThroughTheHandle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := os.WriteFile(filepath.Join(dir, "app.log"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The path now names another directory.
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.log"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ents, err := ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]fs.FileMode{"app.log": 0, "sub": fs.ModeDir, "link": fs.ModeSymlink, "fifo": fs.ModeNamedPipe}
	got := map[string]fs.FileMode{}
	for _, e := range ents {
		got[e.Name()] = e.Type()
	}
	if !maps.Equal(got, want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	for _, e := range ents {
		if e.Name() != "link" {
			continue
		}
		if e.IsDir() {
			t.Errorf("the link to a directory is listed as a directory")
		}
		if fi, err := e.Info(); err != nil || fi.Mode().Type() != fs.ModeSymlink {
			t.Errorf("the link's Info: %v, %v; want the link's own", fi, err)
		}
	}
}
