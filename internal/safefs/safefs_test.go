package safefs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func openRoot(t *testing.T) (*os.Root, string) {
	t.Helper()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = root.Close() })
	return root, dir
}

func TestOpenFileRegular(t *testing.T) {
	root, dir := openRoot(t)
	f, err := OpenFile(root, "new.log", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := f.WriteString("one\ntwo\n"); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if _, err := OpenFile(root, "new.log", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second O_EXCL create: %v, want fs.ErrExist", err)
	}
	f, err = OpenFile(root, "new.log", os.O_RDWR|os.O_TRUNC, 0)
	if err != nil {
		t.Fatalf("open with O_TRUNC: %v", err)
	}
	_ = f.Close()
	if b, _ := os.ReadFile(filepath.Join(dir, "new.log")); len(b) != 0 {
		t.Errorf("O_TRUNC left %q", b)
	}
	if _, err := OpenFile(root, "missing", os.O_RDONLY, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestOpenFileRefusesDirectoriesAndPaths(t *testing.T) {
	root, dir := openRoot(t)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(root, "sub", os.O_RDWR|os.O_CREATE, 0o600); !errors.Is(err, ErrNotRegular) {
		t.Errorf("directory: %v, want ErrNotRegular", err)
	}
	for _, name := range []string{"", ".", "..", "sub/x", `sub\x`, "../x"} {
		if f, err := OpenFile(root, name, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
			_ = f.Close()
			t.Errorf("OpenFile(%q) succeeded, want an error: only single path elements are link-safe", name)
		}
	}
}

// TestReadDirTypes: every entry, with its type, and Info through the Root.
func TestReadDirTypes(t *testing.T) {
	root, dir := openRoot(t)
	if err := os.WriteFile(filepath.Join(dir, "app.log"), []byte("one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]fs.FileMode{}
	for _, e := range ents {
		got[e.Name()] = e.Type()
		if e.IsDir() != (e.Name() == "sub") {
			t.Errorf("%s: IsDir %v", e.Name(), e.IsDir())
		}
	}
	if len(got) != 2 || got["app.log"] != 0 || got["sub"] != fs.ModeDir {
		t.Errorf("entries %v, want app.log (regular) and sub (directory)", got)
	}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || fi.Mode().Type() != e.Type() || (e.Name() == "app.log" && fi.Size() != 4) {
			t.Errorf("%s: Info %v, %v; want the entry's own", e.Name(), fi, err)
		}
	}
}
