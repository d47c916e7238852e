//go:build unix

package control

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// RunRoot holds the endpoint directories of wrappers that run as root, and
// the ones systemd creates for a unit's RuntimeDirectory=wrapper/<name>
// (owned by the unit's User=, removed when the unit stops). /run is
// writable by root alone, so no service account can create, rename or
// squat anything in it. Tests point it elsewhere.
var RunRoot = "/run/wrapper"

// RuntimeDirectory is the value of a systemd unit's RuntimeDirectory= for
// service (relative to /run): the directory under RunRoot that systemd
// makes for the unit's account, where its wrapper serves.
func RuntimeDirectory(service string) string { return "wrapper/" + service }

// sockName is the socket's name in its directory: short, since a socket
// path is limited to maxSocketPath bytes and a service name may take 80.
const sockName = "ctl.sock"

// maxSocketPath is the usable length of a Unix socket path (sun_path is
// 108 bytes on Linux, 104 on the BSDs, and needs its NUL).
const maxSocketPath = 103

// place is what decides where the endpoint lives: the process's effective
// uid, RunRoot, whether RunRoot/<service> is a directory of that uid
// (systemd made it), $XDG_RUNTIME_DIR and the temporary directory.
type place struct {
	euid   int
	run    string
	ownRun bool
	xdg    string
	tmp    string
}

// currentPlace describes this process for service.
func currentPlace(service string) place {
	p := place{euid: os.Geteuid(), run: RunRoot, tmp: os.TempDir()}
	if fi, err := os.Lstat(filepath.Join(p.run, service)); err == nil && fi.IsDir() {
		st, ok := fi.Sys().(*syscall.Stat_t)
		p.ownRun = ok && int(st.Uid) == p.euid
	}
	// pam_systemd makes $XDG_RUNTIME_DIR a 0700 directory of the user;
	// a relative value is not one.
	if x := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(x) {
		p.xdg = x
	}
	return p
}

// serverDir is the directory the wrapper of service serves in: RunRoot's
// for root and for a systemd unit's RuntimeDirectory=, else the user's
// runtime directory, else a directory of the user's in the temporary
// directory (as tmux does).
func (p place) serverDir(service string) string {
	switch {
	case p.euid == 0 || p.ownRun:
		return filepath.Join(p.run, service)
	case p.xdg != "":
		return filepath.Join(p.xdg, "wrapper", service)
	}
	return filepath.Join(p.tmp, "wrapper-"+strconv.Itoa(p.euid), service)
}

// clientDirs are the directories a client looks in, in order. Root looks
// only in RunRoot: a wrapper that runs as root or under systemd is there.
// Another user also looks where its own wrappers would be.
func (p place) clientDirs(service string) []string {
	dirs := []string{filepath.Join(p.run, service)}
	if p.euid == 0 {
		return dirs
	}
	if p.xdg != "" {
		dirs = append(dirs, filepath.Join(p.xdg, "wrapper", service))
	}
	return append(dirs, filepath.Join(p.tmp, "wrapper-"+strconv.Itoa(p.euid), service))
}

// Address is where this process, as the wrapper of service, serves its
// endpoint. It depends on the service name and the account only, so the
// CLI finds the wrapper whatever became of the YAML's log.dir.
func Address(service string) string {
	return filepath.Join(currentPlace(service).serverDir(service), sockName)
}

// prepareDir makes dir a directory of account euid with mode 0700, in a
// parent that no other account can change (owned by root or euid, not
// writable by group or others): then nobody else can rename the socket
// aside, bind one in its place, or squat the place before the wrapper
// starts. Both are opened without following links and checked on the
// descriptor.
func prepareDir(dir string, euid int) error {
	parent := filepath.Dir(dir)
	pf, created, err := openDir(parent, 0o755)
	if err != nil {
		return err
	}
	defer pf.Close()
	if created {
		// Others must be able to pass through RunRoot to the directory
		// systemd makes for a service account; the umask may have
		// removed that.
		_ = pf.Chmod(0o755)
	}
	if uid, mode, err := statFile(pf); err != nil {
		return err
	} else if (uid != 0 && uid != euid) || mode&0o022 != 0 {
		return fmt.Errorf("%w: %s belongs to uid %d with mode %04o; it must belong to root or to this wrapper's account (uid %d) and not be writable by group or others",
			ErrUnsafe, parent, uid, mode, euid)
	}
	f, _, err := openDir(dir, 0o700)
	if err != nil {
		return err
	}
	defer f.Close()
	uid, mode, err := statFile(f)
	if err != nil {
		return err
	}
	if uid != euid {
		return fmt.Errorf("%w: %s belongs to uid %d, not to this wrapper's account (uid %d): another account created it; remove it",
			ErrUnsafe, dir, uid, euid)
	}
	if mode&0o077 != 0 {
		if err := f.Chmod(0o700); err != nil {
			return fmt.Errorf("restrict control directory: %w", err)
		}
	}
	return nil
}

// openDir opens dir, creating it with mode when missing (created says
// so), without following a link in its last element.
func openDir(dir string, mode uint32) (f *os.File, created bool, err error) {
	err = syscall.Mkdir(dir, mode)
	created = err == nil
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, false, fmt.Errorf("create control directory %s: %w", dir, err)
	}
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENOTDIR) {
			return nil, false, fmt.Errorf("%w: %s is not a directory (a link or a file is there)", ErrUnsafe, dir)
		}
		return nil, false, fmt.Errorf("open control directory %s: %w", dir, err)
	}
	return os.NewFile(uintptr(fd), dir), created, nil
}

// statFile returns the owner and permission bits of f.
func statFile(f *os.File) (uid int, mode fs.FileMode, err error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, fmt.Errorf("stat %s: no owner", f.Name())
	}
	return int(st.Uid), fi.Mode().Perm(), nil
}
