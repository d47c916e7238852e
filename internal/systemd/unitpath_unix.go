//go:build unix

package systemd

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// namedPath is a path the unit refers to, with what it is for messages;
// dir marks a directory (else it is a file), command the program of
// ExecStart=.
type namedPath struct {
	what, path   string
	dir, command bool
}

// checkUnitPath refuses a path a unit cannot hold. systemd drops a line
// that is not UTF-8 ("String is not UTF-8 clean, ignoring assignment"); a
// control character would break the line; quotes and backslashes are read
// as escapes differently by different directives; and the program of
// ExecStart= must not hold an apostrophe either ("Executable name contains
// special characters", a fatal error): systemd-analyze verify says so for
// each, and TestUnitsVerifyOddPaths proves that every other printable
// character loads.
func checkUnitPath(p namedPath) error {
	switch {
	case !utf8.ValidString(p.path):
		return fmt.Errorf("%s: %q is not valid UTF-8, which systemd refuses in a unit", p.what, p.path)
	case strings.ContainsFunc(p.path, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == '\\' }):
		return fmt.Errorf("%s: %q contains a quote, backslash or control character, which a systemd unit cannot hold safely", p.what, p.path)
	case p.command && strings.ContainsRune(p.path, '\''):
		return fmt.Errorf("%s: %q contains an apostrophe, which systemd refuses in the program of ExecStart= "+
			"(\"Executable name contains special characters\"): move it to a path without one", p.what, p.path)
	}
	return nil
}

// mountDirs are the directories whose file systems must be mounted before
// the wrapper starts (RequiresMountsFor=), once each, in order.
func mountDirs(paths []namedPath) []string {
	var dirs []string
	for _, p := range paths {
		if !filepath.IsAbs(p.path) { // "" (no env_file) or a bare executable found on PATH
			continue
		}
		dir := p.path
		if !p.dir {
			dir = filepath.Dir(p.path)
		}
		if !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// writableDirs are the log and working directories, leaving out one that
// lies inside the other (ReadWritePaths= covers subdirectories).
func writableDirs(spec Unit) []string {
	logDir, wd := spec.LogDir, spec.WorkingDir
	switch {
	case within(logDir, wd):
		return []string{wd}
	case within(wd, logDir):
		return []string{logDir}
	}
	return []string{logDir, wd}
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// underHome reports whether a path lies where ProtectHome= applies.
func underHome(paths []namedPath) bool {
	return slices.ContainsFunc(paths, func(p namedPath) bool {
		return filepath.IsAbs(p.path) && (within(p.path, "/home") || within(p.path, "/root") || within(p.path, "/run/user"))
	})
}

// escapeSpecifiers doubles %: systemd expands %n, %i, ... in most values.
func escapeSpecifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// quotePath writes a checked path for ReadWritePaths= and
// RequiresMountsFor=: specifiers escaped, double quotes around it when it
// has white space.
func quotePath(p string) string {
	p = escapeSpecifiers(p)
	if strings.ContainsFunc(p, func(r rune) bool { return r == ' ' || r == '\'' }) {
		return `"` + p + `"`
	}
	return p
}

// quoteExec writes a checked path as one ExecStart= word: specifiers
// escaped, double quotes around it unless it is plain, and in an argument
// (not in the command, which systemd never expands) $ escaped as $$.
func quoteExec(p string, arg bool) string {
	p = escapeSpecifiers(p)
	if arg {
		p = strings.ReplaceAll(p, "$", "$$")
	}
	if strings.ContainsFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_.,+=:@~%$-", r))
	}) {
		return `"` + p + `"`
	}
	return p
}
