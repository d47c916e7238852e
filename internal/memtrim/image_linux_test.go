package memtrim

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// platformHelpers are the fakechild helpers of this platform's tests.
var platformHelpers = []string{"release"}

func init() { fakechild.Register("release", releaseHelper) }

func TestImageRanges(t *testing.T) {
	maps := `00400000-00956000 r-xp 00000000 fd:01 1234 /usr/bin/wrapper
00956000-00ee0000 r--p 00556000 fd:01 1234 /usr/bin/wrapper
00ee0000-00fe3000 rw-p 00ae0000 fd:01 1234 /usr/bin/wrapper
00fe3000-03027000 rw-p 00000000 00:00 0
7f0000000000-7f0000001000 r--p 00000000 fd:01 99 /usr/lib/locale/C.utf8/LC_CTYPE
7ffd70131000-7ffd70152000 rw-p 00000000 00:00 0 [stack]
7fdf1399e000-7fdf139a0000 r-xp 00000000 00:00 0 [vdso]
`
	got, err := imageRanges([]byte(maps), 0x00500000)
	if err != nil {
		t.Fatal(err)
	}
	want := []span{{0x00400000, 0x00956000}, {0x00956000, 0x00ee0000}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ranges %x, want %x", got, want)
	}
	if _, err := imageRanges([]byte(maps), 0x7fdf1399e100); err == nil {
		t.Fatal("code in an anonymous mapping: no error")
	}
}

// TestReleaseDropsImagePages checks the effect from outside, in a child
// that does nothing between the two readings but wait on its stdin: a
// good part of its executable's read-only pages leave it (not all: what
// runs after Release, the write and the wait, faults its pages back) (smaps' Rss of those
// mappings; the C libraries of a cgo test binary are not Release's concern).
func TestReleaseDropsImagePages(t *testing.T) {
	cmd, in, lines := fakechild.StartPiped(t, "release")
	expect := func(want string) {
		t.Helper()
		if !lines.Scan() || lines.Text() != want {
			t.Fatalf("child said %q (%v), want %q", lines.Text(), lines.Err(), want)
		}
	}
	expect("before")
	before := imageRSSKB(t, cmd.Process.Pid)
	if _, err := io.WriteString(in, "go\n"); err != nil {
		t.Fatal(err)
	}
	expect("after")
	after := imageRSSKB(t, cmd.Process.Pid)
	t.Logf("resident read-only executable pages: %d kB before Release, %d kB after", before, after)
	if after*4 > before*3 {
		t.Fatalf("%d kB resident after Release, %d kB before: the pages were not released", after, before)
	}
}

// releaseHelper is the child of TestReleaseDropsImagePages: it waits for a
// line, releases, says so, and waits for the end of its input.
func releaseHelper([]string) int {
	in := bufio.NewReader(os.Stdin)
	fmt.Println("before")
	if _, err := in.ReadString('\n'); err != nil {
		return 1
	}
	if err := Release(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("after")
	_, _ = io.Copy(io.Discard, in)
	return 0
}

// imageRSSKB sums smaps' Rss over process pid's executable's read-only
// mappings (the test binary is the same executable as pid's).
func imageRSSKB(t *testing.T, pid int) int {
	t.Helper()
	proc := "/proc/" + strconv.Itoa(pid)
	maps, err := os.ReadFile(proc + "/maps")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	// The child is this binary: find the code's mapping by its place in
	// this process, then take the child's mappings of the same file.
	mine, err := imageRanges(self, uint64(reflect.ValueOf(releaseImage).Pointer()))
	if err != nil {
		t.Fatal(err)
	}
	ranges, err := imageRanges(maps, mine[0].start)
	if err != nil {
		t.Fatal(err)
	}
	starts := map[string]bool{}
	for _, r := range ranges {
		starts[strconv.FormatUint(r.start, 16)] = true
	}
	smaps, err := os.ReadFile(proc + "/smaps")
	if err != nil {
		t.Fatal(err)
	}
	total, in := 0, false
	for line := range strings.Lines(string(smaps)) {
		if lo, _, ok := strings.Cut(line, "-"); ok && !strings.Contains(lo, " ") {
			in = starts[strings.TrimLeft(lo, "0")]
			continue
		}
		if v, ok := strings.CutPrefix(line, "Rss:"); ok && in {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			total += n
		}
	}
	if total == 0 {
		t.Fatal("no resident page found in the executable's mappings")
	}
	return total
}
