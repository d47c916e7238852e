//go:build unix

package systemd

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Trust checks the files a service trusts, as sshd's StrictModes does: the
// wrapper, the YAML, the env_file and the programs it runs, and every
// directory above them, must not be changeable by an account other than
// root and the installing user. Whoever can change one of them can make
// the service (or root, running `wrapper` commands on the same YAML) run
// what they like. Trust is built once per install; Check is called per
// file.
type Trust struct {
	trusted []int // uids besides root
	seen    map[string]bool
	groups  map[int]groupInfo // cache of group memberships
	// groupFile and passwdFile are /etc/group and /etc/passwd; tests
	// point them elsewhere.
	groupFile, passwdFile string
}

// NewTrust returns a checker that trusts root and the accounts uids.
func NewTrust(uids ...int) *Trust {
	return &Trust{trusted: uids, seen: map[string]bool{}, groups: map[int]groupInfo{},
		groupFile: "/etc/group", passwdFile: "/etc/passwd"}
}

// Check returns, for path and each directory that leads to it (following
// symbolic links, whose own directories are checked too), who else can
// change it: "PATH: owned by uid 65534 (nobody)", "PATH: writable by every
// user (mode 0777)", "PATH: writable by group staff (gid 50), which
// includes alice". Each path is reported once per Trust. A directory that
// everybody may write but with the sticky bit (/tmp) is accepted: only the
// owner of an entry can remove or rename it there, and the entry's owner is
// checked in turn. Mode bits are read as they are; a POSIX ACL shows in the
// group bits as its mask, so an ACL that grants write is reported as group
// write. The error is for a path that cannot be examined.
func (t *Trust) Check(path string) ([]string, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("check %s: not an absolute path", path)
	}
	var found []string
	todo := splitPath(path)
	cur, links := "/", 0
	found = t.check(found, cur)
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, name)
		fi, err := os.Lstat(next)
		if err != nil {
			return found, fmt.Errorf("check %s: %w", path, err)
		}
		found = t.check(found, next)
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > 40 { // as the kernel's limit of followed links (ELOOP)
			return found, fmt.Errorf("check %s: too many symbolic links", path)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return found, fmt.Errorf("check %s: %w", path, err)
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		todo = append(splitPath(target), todo...)
	}
	return found, nil
}

// splitPath returns the names of a path, without empty ones.
func splitPath(p string) []string {
	return slices.DeleteFunc(strings.Split(p, "/"), func(s string) bool { return s == "" })
}

// check appends what is wrong with path to found, once per Trust.
func (t *Trust) check(found []string, path string) []string {
	if t.seen[path] {
		return found
	}
	t.seen[path] = true
	fi, err := os.Lstat(path)
	if err != nil {
		return append(found, fmt.Sprintf("%s: cannot be examined: %v", path, err))
	}
	st := fi.Sys().(*syscall.Stat_t)
	uid, gid, mode := int(st.Uid), int(st.Gid), fi.Mode()
	if !t.trustedUID(uid) {
		found = append(found, fmt.Sprintf("%s: owned by %s, who can change it", path, userLabel(uid)))
	}
	if mode&fs.ModeSymlink != 0 { // its own mode bits mean nothing
		return found
	}
	sticky := mode.IsDir() && mode&fs.ModeSticky != 0
	switch {
	case mode.Perm()&0o002 != 0 && !sticky:
		found = append(found, fmt.Sprintf("%s: writable by every user (mode %04o)", path, mode.Perm()))
	case mode.Perm()&0o020 != 0 && !sticky:
		if outsiders := t.groupOutsiders(gid); outsiders != "" {
			found = append(found, fmt.Sprintf("%s: writable by group %s (mode %04o), which includes %s",
				path, t.groupName(gid), mode.Perm(), outsiders))
		}
	}
	return found
}

// trustedUID reports whether uid is root or one of the trusted accounts.
func (t *Trust) trustedUID(uid int) bool { return uid == 0 || slices.Contains(t.trusted, uid) }

// userLabel names a uid for messages: "uid 65534 (nobody)".
func userLabel(uid int) string {
	if u, err := lookupUser(strconv.Itoa(uid)); err == nil && u.Uid == strconv.Itoa(uid) {
		return fmt.Sprintf("uid %d (%s)", uid, u.Username)
	}
	return fmt.Sprintf("uid %d", uid)
}

// groupInfo is a group's name and members as the local files tell.
type groupInfo struct {
	name    string
	members []string // names from /etc/group, and users whose primary group it is
	known   bool     // listed in /etc/group
}

// groupName names a gid for messages: "nogroup (gid 65534)".
func (t *Trust) groupName(gid int) string {
	if g := t.group(gid); g.known {
		return fmt.Sprintf("%s (gid %d)", g.name, gid)
	}
	return fmt.Sprintf("gid %d", gid)
}

// groupOutsiders describes the members of group gid that are not trusted,
// or returns "" when all are. A group that /etc/group does not list (one
// from LDAP, say) cannot be vouched for: its members are unknown.
func (t *Trust) groupOutsiders(gid int) string {
	g := t.group(gid)
	if !g.known {
		return "members that /etc/group does not list"
	}
	var out []string
	for _, name := range g.members {
		u, err := lookupUser(name)
		if err != nil {
			out = append(out, name+" (unknown)")
			continue
		}
		if uid, err := strconv.Atoi(u.Uid); err != nil || !t.trustedUID(uid) {
			out = append(out, fmt.Sprintf("%s (uid %s)", name, u.Uid))
		}
	}
	return strings.Join(out, ", ")
}

// group reads group gid from the local files, once.
func (t *Trust) group(gid int) groupInfo {
	if g, ok := t.groups[gid]; ok {
		return g
	}
	var g groupInfo
	id := strconv.Itoa(gid)
	_ = eachEntry(t.groupFile, func(f []string) bool { // name:password:gid:members
		if len(f) >= 4 && f[2] == id {
			g = groupInfo{name: f[0], known: true}
			g.members = slices.DeleteFunc(strings.Split(f[3], ","), func(s string) bool { return s == "" })
			return false
		}
		return true
	})
	_ = eachEntry(t.passwdFile, func(f []string) bool { // name:password:uid:gid:...
		if len(f) >= 4 && f[3] == id && !slices.Contains(g.members, f[0]) {
			g.members = append(g.members, f[0])
		}
		return true
	})
	t.groups[gid] = g
	return g
}

// eachEntry calls fn with the fields of each line of a colon-separated
// file until fn returns false.
func eachEntry(path string, fn func([]string) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !fn(strings.Split(line, ":")) {
			return nil
		}
	}
	return sc.Err()
}
