//go:build unix

package systemd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wrapper-dev/wrapper/internal/safefs"
)

// Account is a user and group, resolved on this machine: the service's
// (LookupAccount) or the child's (LookupUser).
type Account struct {
	User   string
	UID    int
	GID    int    // the group asked for, else the user's primary group
	Groups []int  // every group the user is in, GID included
	Home   string // the user's home directory
}

// LookupAccount resolves service.user and service.group (group may be
// empty). systemd would fail the start (status 217/USER) for a name that
// does not exist, so install refuses it first. The user's groups are read
// on a best-effort basis: they only refine a warning.
func LookupAccount(userName, group string) (Account, error) {
	return lookupAccount(userName, group, "service.user", "service.group", false)
}

// LookupUser resolves the top-level user and group (group may be empty):
// the account the wrapper runs its child as. Groups holds, after GID,
// every group the group database lists for the user (as initgroups(3)
// reads it), which become the child's supplementary groups: failing to
// read them is an error.
func LookupUser(userName, group string) (Account, error) {
	return lookupAccount(userName, group, "user", "group", true)
}

// lookupAccount is LookupAccount and LookupUser: userKey and groupKey
// name the keys in messages; strict makes the group list required.
func lookupAccount(userName, group, userKey, groupKey string, strict bool) (Account, error) {
	u, err := lookupUser(userName)
	if err != nil {
		return Account{}, fmt.Errorf("%s: no user %q on this machine (create it: useradd --system --no-create-home --shell /usr/sbin/nologin %s): %w", userKey, userName, userName, err)
	}
	a := Account{User: u.Username, Home: u.HomeDir}
	a.UID, _ = strconv.Atoi(u.Uid)
	a.GID, _ = strconv.Atoi(u.Gid)
	if group != "" {
		g, err := lookupGroup(group)
		if err != nil {
			return Account{}, fmt.Errorf("%s: no group %q on this machine: %w", groupKey, group, err)
		}
		a.GID, _ = strconv.Atoi(g.Gid)
	}
	a.Groups = []int{a.GID}
	ids, err := u.GroupIds()
	if err != nil && strict {
		return Account{}, fmt.Errorf("%s: the groups of %q: %w", userKey, u.Username, err)
	}
	for _, id := range ids {
		if n, err := strconv.Atoi(id); err == nil && !slices.Contains(a.Groups, n) {
			a.Groups = append(a.Groups, n)
		}
	}
	return a, nil
}

// lookupUser finds a user by name, or by id when name is a number. Go's
// os/user in a static build (make dist) reads /etc/passwd only, so a user
// it does not find is asked for again through getent(1), which goes
// through the system's name services (LDAP, SSSD, systemd-userdb) as
// systemd will when it starts the service. When getent does not know the
// user either, os/user's error is returned, joined with getent's when
// getent failed for another reason (not installed, timed out).
func lookupUser(name string) (*user.User, error) {
	return lookupNSS(name, "passwd", user.Lookup, user.LookupId, parsePasswd,
		func(u *user.User) bool { return u.Username == name || u.Uid == name })
}

// lookupGroup finds a group as lookupUser finds a user.
func lookupGroup(name string) (*user.Group, error) {
	return lookupNSS(name, "group", user.LookupGroup, user.LookupGroupId, parseGroup,
		func(g *user.Group) bool { return g.Name == name || g.Gid == name })
}

// lookupNSS is lookupUser and lookupGroup: os/user by name, then by id for
// a number, then getent's entry from db, taken only when is says it is
// the one asked for.
func lookupNSS[T any](name, db string, byName, byID func(string) (T, error),
	parse func([]string) (T, error), is func(T) bool) (T, error) {
	v, err := byName(name)
	if err != nil && isNumber(name) {
		v, err = byID(name)
	}
	if err == nil {
		return v, nil
	}
	var none T
	fields, gerr := getent(db, name)
	if gerr != nil {
		return none, joinLookupErrors(err, gerr)
	}
	if v, perr := parse(fields); perr == nil && is(v) {
		return v, nil
	}
	return none, err
}

// errNotInNSS is getent's answer for a key no name service knows (exit 2).
var errNotInNSS = errors.New("not found by getent")

// joinLookupErrors adds getent's failure to os/user's error, unless getent
// merely did not find the name either.
func joinLookupErrors(err, gerr error) error {
	if errors.Is(gerr, errNotInNSS) {
		return err
	}
	return errors.Join(err, gerr)
}

// getentTimeout bounds a getent call: with a name service down (LDAP
// unreachable), NSS lookups can block for minutes.
const getentTimeout = 15 * time.Second

// getent returns the colon-separated fields of the first entry that
// `getent DB KEY` prints. A key starting with '-' is not looked up: getent
// would take it for an option (`getent passwd -sfiles` lists every user),
// "--" is not understood by every getent, and useradd and systemd refuse
// such names anyway. Callers still check that the entry is the one asked
// for.
func getent(db, key string) ([]string, error) {
	if strings.HasPrefix(key, "-") {
		return nil, errNotInNSS
	}
	ctx, cancel := context.WithTimeout(context.Background(), getentTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "getent", db, key).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 {
		return nil, errNotInNSS
	}
	if err != nil {
		return nil, fmt.Errorf("getent %s %s: %w", db, key, err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.Split(line, ":"), nil
}

// parsePasswd reads a passwd(5) entry: name:password:uid:gid:gecos:home:shell.
func parsePasswd(f []string) (*user.User, error) {
	if len(f) != 7 || f[0] == "" || !isNumber(f[2]) || !isNumber(f[3]) {
		return nil, fmt.Errorf("malformed passwd entry %q", strings.Join(f, ":"))
	}
	name, _, _ := strings.Cut(f[4], ",") // the GECOS full name
	return &user.User{Username: f[0], Uid: f[2], Gid: f[3], Name: name, HomeDir: f[5]}, nil
}

// parseGroup reads a group(5) entry: name:password:gid:members.
func parseGroup(f []string) (*user.Group, error) {
	if len(f) != 4 || f[0] == "" || !isNumber(f[2]) {
		return nil, fmt.Errorf("malformed group entry %q", strings.Join(f, ":"))
	}
	return &user.Group{Name: f[0], Gid: f[2]}, nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// PrepareLogDir readies the log directory for the service account:
//
//   - it must exist before the start: ProtectSystem=strict makes it
//     writable through ReadWritePaths=, which systemd cannot set up for a
//     missing path (the start fails with status 226/NAMESPACE). The
//     directories it creates belong to the account.
//   - the wrapper's own files in it (files: logs, and patterns of rotated
//     logs, status file) made by an earlier `sudo wrapper run` are handed
//     to the account, or the service could not append to them.
//
// A directory that existed before keeps its owner: log.dir may be shared
// (/var/log), and install never takes over what it did not create. It
// returns warnings for what it cannot fix.
func PrepareLogDir(dir string, files []string, a Account) ([]string, error) {
	if err := mkdirOwned(dir, a); err != nil {
		return nil, err
	}
	if a.UID == 0 {
		return nil, nil
	}
	var warnings []string
	if info, err := os.Stat(dir); err == nil && !writableBy(info, a) {
		warnings = append(warnings, fmt.Sprintf("log.dir %s is not writable by %s (owner uid %d, mode %v): "+
			"the service could not write its logs; chown it, or choose another log.dir", dir, a.User, ownerOf(info), info.Mode().Perm()))
	}
	for _, f := range existing(files) {
		if err := chownFile(f, a); err != nil {
			warnings = append(warnings, fmt.Sprintf("cannot give %s to %s: %v", f, a.User, err))
		}
	}
	return warnings, nil
}

// chownFile gives the file at path to the account through its descriptor,
// opened relative to its directory without following a link: the
// directory may already be the account's, which could have planted a
// link, or a hard link to a file of root's, where a wrapper file should
// be (safefs refuses both).
func chownFile(path string, a Account) error {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := safefs.OpenFile(root, filepath.Base(path), os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Chown(a.UID, a.GID)
}

// mkdirOwned creates dir, owned by the account, when it is missing. Missing
// parents are created too but stay root's: they may be the application's
// own directory, which the service should not be able to change.
func mkdirOwned(dir string, a Account) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("create log directory: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create log directory: %w", err)
	}
	if err := os.Chown(dir, a.UID, a.GID); err != nil {
		return fmt.Errorf("give log directory %s to %s: %w", dir, a.User, err)
	}
	return nil
}

// existing expands files, paths or glob patterns, into the files (or
// links) that exist, once each.
func existing(files []string) []string {
	var out []string
	for _, pattern := range files {
		matches, _ := filepath.Glob(pattern)
		for _, f := range matches {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// EscapeGlob quotes the pattern characters of a literal path, for the
// patterns PrepareLogDir takes.
func EscapeGlob(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}

// writableBy reports whether the mode bits let the account create files in
// dir (ACLs aside).
func writableBy(info fs.FileInfo, a Account) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := info.Mode().Perm()
	switch {
	case int(st.Uid) == a.UID:
		return perm&0o300 == 0o300
	case slices.Contains(a.Groups, int(st.Gid)):
		return perm&0o030 == 0o030
	}
	return perm&0o003 == 0o003
}

// ownerOf returns the file's owner uid, -1 when unknown.
func ownerOf(info fs.FileInfo) int {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
