package memtrim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseImage unmaps the resident pages of the executable's read-only
// mappings (code, read-only data, the function tables) with MADV_DONTNEED.
// For a private file mapping that was never written, that only removes the
// page-table entries: the pages stay in the page cache, and the next touch
// maps them again. Writable mappings are never touched, since there
// MADV_DONTNEED would throw away the process's own changes (the initialised
// globals). The executable's mappings are found by the device and inode of
// the mapping that holds this function's code, not by name, which "
// (deleted)" or a rename would change.
func releaseImage() error {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("release executable pages: %w", err)
	}
	ranges, err := imageRanges(maps, uint64(reflect.ValueOf(releaseImage).Pointer()))
	if err != nil {
		return fmt.Errorf("release executable pages: %w", err)
	}
	var errs []error
	for _, r := range ranges {
		if _, _, e := unix.Syscall(unix.SYS_MADVISE, uintptr(r.start), uintptr(r.end-r.start), unix.MADV_DONTNEED); e != 0 {
			errs = append(errs, fmt.Errorf("madvise %#x-%#x: %w", r.start, r.end, e))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("release executable pages: %w", err)
	}
	return nil
}

// span is one address range of /proc/self/maps.
type span struct{ start, end uint64 }

// imageRanges returns, from the contents of /proc/self/maps, the read-only
// mappings (no 'w' in the permissions) of the file mapped at address pc.
func imageRanges(maps []byte, pc uint64) ([]span, error) {
	type mapping struct {
		span
		perms, file string // file: "dev inode"
	}
	var all []mapping
	var image string
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		// START-END PERMS OFFSET DEV INODE [PATH]
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("maps line %q: bad range", sc.Text())
		}
		m := mapping{span{start, end}, f[1], f[3] + " " + f[4]}
		if f[4] == "0" { // anonymous: never the executable
			m.file = ""
		}
		if pc >= start && pc < end {
			image = m.file
		}
		all = append(all, m)
	}
	if image == "" {
		return nil, errors.New("no file mapping holds the code")
	}
	var out []span
	for _, m := range all {
		if m.file == image && !strings.Contains(m.perms, "w") {
			out = append(out, m.span)
		}
	}
	return out, nil
}
