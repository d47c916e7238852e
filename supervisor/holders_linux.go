package supervisor

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// pipeHolders names the processes that hold a write end of the pipe whose
// read end is r open ("1234 (sleep)"): what keeps the child's output open
// after the child has exited. It reads /proc/*/fd, whose links name a
// pipe by inode, and each descriptor's fdinfo for its access mode (the
// wrapper holds the read end itself). Processes of other users whose /proc
// entries cannot be read are missed: it is a best effort for a warning,
// run only when a drain times out.
func pipeHolders(r *os.File) []string {
	var st syscall.Stat_t
	if syscall.Fstat(int(r.Fd()), &st) != nil {
		return nil
	}
	target := fmt.Sprintf("pipe:[%d]", st.Ino)
	procs, _ := os.ReadDir("/proc")
	var holders []string
	for _, p := range procs {
		if _, err := strconv.Atoi(p.Name()); err != nil {
			continue
		}
		if holdsWriteEnd(filepath.Join("/proc", p.Name()), target) {
			comm, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "comm"))
			holders = append(holders, p.Name()+" ("+strings.TrimSpace(string(comm))+")")
		}
	}
	return holders
}

// holdsWriteEnd reports whether the process at proc has a descriptor on
// pipe target open for writing.
func holdsWriteEnd(proc, target string) bool {
	fds, _ := os.ReadDir(filepath.Join(proc, "fd"))
	for _, fd := range fds {
		if link, err := os.Readlink(filepath.Join(proc, "fd", fd.Name())); err != nil || link != target {
			continue
		}
		info, err := os.ReadFile(filepath.Join(proc, "fdinfo", fd.Name()))
		if err != nil {
			continue
		}
		for _, line := range bytes.Split(info, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("flags:")); ok {
				flags, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 8, 64)
				if err == nil && flags&syscall.O_ACCMODE != syscall.O_RDONLY {
					return true
				}
			}
		}
	}
	return false
}
