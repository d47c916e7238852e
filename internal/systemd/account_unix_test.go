//go:build unix

package systemd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestParseNSSEntries: getent's passwd and group lines, good and malformed.
func TestParseNSSEntries(t *testing.T) {
	for _, tc := range []struct {
		line, want string // want: "name uid gid home" or "" for an error
	}{
		{"svc:x:4242:4243:Service Account,,,:/var/lib/svc:/usr/sbin/nologin", "svc 4242 4243 Service Account /var/lib/svc"},
		{"ldap.user:*:100001:100001::/home/ldap.user:/bin/bash", "ldap.user 100001 100001  /home/ldap.user"},
		{"svc:x:4242:4243:Service Account", ""}, // too few fields
		{"svc:x:uid:4243::/:/bin/sh", ""},       // uid not a number
		{":x:1:1::/:/bin/sh", ""},               // no name
		{"", ""},
	} {
		u, err := parsePasswd(strings.Split(tc.line, ":"))
		got := ""
		if err == nil {
			got = strings.Join([]string{u.Username, u.Uid, u.Gid, u.Name, u.HomeDir}, " ")
		}
		if got != tc.want {
			t.Errorf("parsePasswd(%q) = %q (err %v), want %q", tc.line, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ line, want string }{
		{"svcgroup:x:4244:alice,bob", "svcgroup 4244"},
		{"empty:*:4245:", "empty 4245"},
		{"svcgroup:x:4244", ""},
		{"svcgroup:x:-1:", ""},
	} {
		g, err := parseGroup(strings.Split(tc.line, ":"))
		got := ""
		if err == nil {
			got = g.Name + " " + g.Gid
		}
		if got != tc.want {
			t.Errorf("parseGroup(%q) = %q (err %v), want %q", tc.line, got, err, tc.want)
		}
	}
}

// TestLookupAccountThroughGetent: a user and a group that only the name
// services know (a fake getent first on PATH plays LDAP) are resolved; a
// name that getent does not know either is still refused with the hint.
func TestLookupAccountThroughGetent(t *testing.T) {
	dir := t.TempDir()
	// Like getent, it lists every entry when the key is taken for an
	// option.
	script := `#!/bin/sh
case "$2" in -*) echo "root:x:0:0:root:/root:/bin/sh"; exit 0 ;; esac
case "$1 $2" in
"passwd ldapsvc"|"passwd 424242") echo "ldapsvc:*:424242:424243:LDAP service:/nonexistent:/usr/sbin/nologin" ;;
"group ldapgrp") echo "ldapgrp:*:424244:ldapsvc" ;;
"passwd impostor") echo "root:x:0:0:root:/root:/bin/sh" ;;
*) exit 2 ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "getent"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	a, err := LookupAccount("ldapsvc", "ldapgrp")
	if err != nil {
		t.Fatalf("LookupAccount: %v", err)
	}
	if a.User != "ldapsvc" || a.UID != 424242 || a.GID != 424244 || a.Groups[0] != 424244 {
		t.Fatalf("account = %+v, want ldapsvc uid 424242 gid 424244", a)
	}
	a, err = LookupAccount("ldapsvc", "")
	if err != nil || a.GID != 424243 {
		t.Fatalf("LookupAccount without a group = %+v, %v; want the primary group 424243", a, err)
	}
	if a, err = LookupAccount("424242", ""); err != nil || a.User != "ldapsvc" {
		t.Fatalf("LookupAccount by uid = %+v, %v; want ldapsvc", a, err)
	}
	// An entry for another account than the one asked for is not taken,
	// nor a name getent would read as an option.
	for _, name := range []string{"impostor", "-sfiles"} {
		if a, err = LookupAccount(name, ""); err == nil {
			t.Fatalf("LookupAccount(%q) = %+v, want an error", name, a)
		}
	}
	_, err = LookupAccount("nosuchsvc", "")
	if err == nil || !strings.Contains(err.Error(), `no user "nosuchsvc"`) || !strings.Contains(err.Error(), "useradd --system") {
		t.Fatalf("unknown user: err = %v, want the useradd hint", err)
	}
	_, err = LookupAccount("ldapsvc", "nosuchgrp")
	if err == nil || !strings.Contains(err.Error(), `no group "nosuchgrp"`) {
		t.Fatalf("unknown group: err = %v", err)
	}
	// The child's account: the same lookup, with its home, and messages
	// that name the top-level keys.
	a, err = LookupUser("ldapsvc", "ldapgrp")
	if err != nil || a.Home != "/nonexistent" || a.GID != 424244 || !slices.Contains(a.Groups, 424243) {
		t.Fatalf("LookupUser = %+v, %v; want home /nonexistent, group 424244 and the primary group among the groups", a, err)
	}
	if _, err = LookupUser("nosuchsvc", ""); err == nil || !strings.HasPrefix(err.Error(), `user: no user "nosuchsvc"`) {
		t.Fatalf("LookupUser of an unknown user: %v", err)
	}
	if _, err = LookupUser("ldapsvc", "nosuchgrp"); err == nil || !strings.HasPrefix(err.Error(), `group: no group "nosuchgrp"`) {
		t.Fatalf("LookupUser of an unknown group: %v", err)
	}
}

// TestLookupReportsGetentFailure: when getent cannot answer (here it exits
// 1, as for a name service that fails), its failure joins os/user's error
// instead of vanishing behind "no user".
func TestLookupReportsGetentFailure(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "getent"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	_, err := LookupAccount("ldapsvc", "")
	if err == nil || !strings.Contains(err.Error(), "getent passwd ldapsvc: exit status 1") {
		t.Fatalf("err = %v, want getent's failure in it", err)
	}
}

// TestPrepareLogDirFollowsNoLink: handing the wrapper's old files to the
// service account never changes the owner of a file elsewhere through a
// hard link planted at a wrapper file's name (possible where
// fs.protected_hardlinks is off; root plants it here) or a symbolic link.
func TestPrepareLogDirFollowsNoLink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	top := t.TempDir()
	secret := filepath.Join(top, "shadow")
	if err := os.WriteFile(secret, []byte("root:x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(dir, "svc.out.log")
	if err := os.WriteFile(own, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hard, soft := filepath.Join(dir, "svc.err.log"), filepath.Join(dir, "svc.wrapper.log")
	if err := os.Link(secret, hard); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, soft); err != nil {
		t.Fatal(err)
	}
	a := Account{User: "nobody", UID: 65534, GID: 65534, Groups: []int{65534}}
	warnings, err := PrepareLogDir(dir, []string{own, hard, soft}, a)
	if err != nil {
		t.Fatal(err)
	}
	uid := func(p string) uint32 {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Uid
	}
	if uid(secret) != 0 || uid(own) != 65534 {
		t.Errorf("owners: secret %d (want 0), own file %d (want 65534)", uid(secret), uid(own))
	}
	if len(warnings) < 2 {
		t.Errorf("warnings %q, want one for each link", warnings)
	}
}
