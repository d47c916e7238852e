package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// absPath resolves p against base with the running OS's path rules. It
// never consults the process's current directory: a Windows service starts
// in %WINDIR%\System32, so only the config's directory is meaningful.
func absPath(base, p string) (string, error) {
	switch {
	case filepath.IsAbs(p):
		return filepath.Clean(p), nil
	case filepath.VolumeName(p) != "":
		// Windows "C:dir" is relative to drive C's current directory, a
		// per-process notion that a service cannot rely on.
		return "", fmt.Errorf("drive-relative path %q is not supported (use an absolute path or one relative to the config)", p)
	case p != "" && os.IsPathSeparator(p[0]):
		// Windows "\dir" is rooted on the current drive; take the config's
		// drive instead of the process's.
		return filepath.Join(filepath.VolumeName(base), p), nil
	}
	return filepath.Join(base, p), nil
}

// hasPathSep reports whether an executable name is a path rather than a
// name to look up: it contains a separator of the running OS (only / on
// Unix, where \ is an ordinary character) or a Windows volume name.
func hasPathSep(s string) bool {
	return strings.ContainsRune(s, '/') || strings.ContainsRune(s, filepath.Separator) || filepath.VolumeName(s) != ""
}

// findExecutable resolves the executable setting (already expanded). A path,
// or a name starting with ".", resolves against base and must be an
// executable file. A bare name is taken from base if a file of that name
// exists there, otherwise it must be found on PATH now and stays bare so
// that PATH is searched again at start.
func findExecutable(s, base string) (string, error) {
	if hasPathSep(s) || strings.HasPrefix(s, ".") {
		p, err := absPath(base, s)
		if err != nil {
			return "", err
		}
		return checkExecutable(p)
	}
	p := filepath.Join(base, s)
	if found, err := exec.LookPath(p); err == nil {
		return found, nil // on Windows this also finds p.exe
	}
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return checkExecutable(p) // explains why the file beside the config is unusable
	}
	switch _, err := exec.LookPath(s); {
	case errors.Is(err, exec.ErrDot):
		return "", fmt.Errorf("%q is found on PATH only through a relative PATH entry (give a path instead)", s)
	case err != nil:
		return "", fmt.Errorf("%q is neither a file in %s nor found on PATH", s, base)
	}
	return s, nil
}

// checkExecutable returns p as exec will run it (on Windows possibly with an
// extension from PATHEXT appended) or says why it cannot run.
func checkExecutable(p string) (string, error) {
	if found, err := exec.LookPath(p); err == nil {
		return found, nil
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s does not exist", p)
	case err != nil:
		return "", fmt.Errorf("cannot use %s: %w", p, pathErr(err))
	case fi.IsDir():
		return "", fmt.Errorf("%s is a directory", p)
	case runtime.GOOS == "windows":
		return "", fmt.Errorf("%s is not a program (its extension is not in PATHEXT)", p)
	}
	return "", fmt.Errorf("%s is not executable (no execute permission)", p)
}

// checkDir reports why p is not an existing directory.
func checkDir(p string) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist", p)
	case err != nil:
		return fmt.Errorf("cannot use %s: %w", p, pathErr(err))
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", p)
	}
	return nil
}

// samePath compares two clean absolute paths the way the file system
// would: case-insensitively on Windows (and, as a simplification, not on
// macOS, whose case sensitivity depends on the volume).
func samePath(a, b string) bool {
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// within reports whether the clean absolute path p lies inside dir, at any
// depth (filepath.Rel compares names case-insensitively on Windows, as
// samePath does).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// resolveLinks returns the clean absolute path p with the symbolic links of
// its longest existing part resolved; the rest does not exist yet, so it
// holds no link. On any error it returns p.
func resolveLinks(p string) string {
	rest := ""
	for q := p; ; {
		if r, err := filepath.EvalSymlinks(q); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(q)
		if parent == q {
			return p
		}
		rest = filepath.Join(filepath.Base(q), rest)
		q = parent
	}
}
