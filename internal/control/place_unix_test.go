//go:build unix

package control

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPlace: where the wrapper serves and where a client looks, per
// account and environment.
func TestPlace(t *testing.T) {
	tests := []struct {
		name   string
		p      place
		server string
		client []string
	}{
		{"root", place{euid: 0, run: "/run/wrapper", xdg: "/run/user/0", tmp: "/tmp"},
			"/run/wrapper/svc", []string{"/run/wrapper/svc"}},
		{"systemd's RuntimeDirectory= for a service account", place{euid: 999, run: "/run/wrapper", ownRun: true, tmp: "/tmp"},
			"/run/wrapper/svc", []string{"/run/wrapper/svc", "/tmp/wrapper-999/svc"}},
		{"a user with a runtime directory", place{euid: 1000, run: "/run/wrapper", xdg: "/run/user/1000", tmp: "/tmp"},
			"/run/user/1000/wrapper/svc", []string{"/run/wrapper/svc", "/run/user/1000/wrapper/svc", "/tmp/wrapper-1000/svc"}},
		{"a user without one", place{euid: 1000, run: "/run/wrapper", tmp: "/tmp"},
			"/tmp/wrapper-1000/svc", []string{"/run/wrapper/svc", "/tmp/wrapper-1000/svc"}},
	}
	for _, tc := range tests {
		if got := tc.p.serverDir("svc"); got != tc.server {
			t.Errorf("%s: server in %s, want %s", tc.name, got, tc.server)
		}
		if got := tc.p.clientDirs("svc"); !slices.Equal(got, tc.client) {
			t.Errorf("%s: client looks in %v, want %v", tc.name, got, tc.client)
		}
		if !slices.Contains(tc.p.clientDirs("svc"), tc.p.serverDir("svc")) {
			t.Errorf("%s: the client does not look where the wrapper serves", tc.name)
		}
	}
}

// TestListenRefusesUnsafePlace: Listen does not serve in a directory that
// another account owns or could change, nor through a link, and says why.
func TestListenRefusesUnsafePlace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to hand a directory to another user")
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, root, dir string)
		says  string
	}{
		{"the service's directory belongs to another account", func(t *testing.T, _, dir string) {
			mustDo(t, os.Mkdir(dir, 0o700), os.Chown(dir, int(attacker.Uid), int(attacker.Gid)))
		}, "belongs to uid 65534"},
		{"RunRoot is writable by others", func(t *testing.T, root, _ string) {
			mustDo(t, os.Chmod(root, 0o777))
		}, "not be writable by group or others"},
		{"RunRoot belongs to another account", func(t *testing.T, root, _ string) {
			mustDo(t, os.Chown(root, int(attacker.Uid), int(attacker.Gid)))
		}, "belongs to uid 65534 with mode 0755"},
		{"a link where the service's directory belongs", func(t *testing.T, root, dir string) {
			mustDo(t, os.Mkdir(filepath.Join(root, "elsewhere"), 0o700), os.Symlink(filepath.Join(root, "elsewhere"), dir))
		}, "is not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := newService(t)
			tc.setup(t, RunRoot, filepath.Join(RunRoot, name))
			l, err := Listen(name)
			if err == nil {
				l.Close()
			}
			if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("listen: %v; want ErrUnsafe saying %q", err, tc.says)
			}
		})
	}
}

// TestListenTightensOwnDirectory: a directory of the wrapper's own account
// with a looser mode (systemd's RuntimeDirectoryMode= defaults to 0755) is
// made 0700, and the socket in it is 0600.
func TestListenTightensOwnDirectory(t *testing.T) {
	name := newService(t)
	dir := filepath.Join(RunRoot, name)
	mustDo(t, os.Mkdir(dir, 0o755), os.Chmod(dir, 0o755))
	l, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory: %v, %v; want mode 0700", fi.Mode(), err)
	}
	if fi, err := os.Stat(Address(name)); err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket: %v, %v; want a socket with mode 0600", fi.Mode(), err)
	}
}

// mustDo fails t at the first error.
func mustDo(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
