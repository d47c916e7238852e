package logrotate

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata" // Europe/Berlin on any test machine
)

func TestNextBoundary(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(2024, mo, d, h, mi, s, ns, time.UTC)
	}
	ber := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2024, mo, d, h, mi, 0, 0, berlin) }
	tests := []struct {
		name  string
		t     time.Time
		every time.Duration
		want  time.Time
	}{
		{"1h: on the hour", utc(5, 6, 10, 15, 0, 0), time.Hour, utc(5, 6, 11, 0, 0, 0)},
		{"1h: at a boundary, the next one", utc(5, 6, 10, 0, 0, 0), time.Hour, utc(5, 6, 11, 0, 0, 0)},
		{"1h: the last of the day", utc(5, 6, 23, 30, 0, 0), time.Hour, utc(5, 7, 0, 0, 0, 0)},
		{"1s", utc(5, 6, 10, 15, 0, 5e8), time.Second, utc(5, 6, 10, 15, 1, 0)},
		{"90m", utc(5, 6, 1, 0, 0, 0), 90 * time.Minute, utc(5, 6, 1, 30, 0, 0)},
		{"7h: within the day", utc(5, 6, 15, 0, 0, 0), 7 * time.Hour, utc(5, 6, 21, 0, 0, 0)},
		{"7h: the short last period ends at midnight", utc(5, 6, 22, 0, 0, 0), 7 * time.Hour, utc(5, 7, 0, 0, 0, 0)},
		{"24h: midnight", utc(5, 6, 10, 15, 0, 0), 24 * time.Hour, utc(5, 7, 0, 0, 0, 0)},
		{"48h: every other midnight (2024-05-06 is day 8526)", utc(5, 6, 10, 0, 0, 0), 48 * time.Hour, utc(5, 8, 0, 0, 0, 0)},
		{"48h: from an odd day", utc(5, 7, 10, 0, 0, 0), 48 * time.Hour, utc(5, 8, 0, 0, 0, 0)},
		{"7 days: Monday", utc(5, 8, 10, 0, 0, 0), 7 * 24 * time.Hour, utc(5, 13, 0, 0, 0, 0)},
		{"7 days: from Monday midnight", utc(5, 6, 0, 0, 0, 0), 7 * 24 * time.Hour, utc(5, 13, 0, 0, 0, 0)},
		{"local midnight, not UTC's", ber(3, 30, 12, 0), 24 * time.Hour, ber(3, 31, 0, 0)},
		{"1h when the clock goes forward: 02:00 does not exist", ber(3, 31, 1, 30), time.Hour, ber(3, 31, 3, 0)},
		{"1h after the clock went forward", ber(3, 31, 3, 0), time.Hour, ber(3, 31, 4, 0)},
		{"1h when the clock goes back: the repeated hour is no period of its own", ber(10, 27, 2, 30), time.Hour, ber(10, 27, 3, 0)},
		{"24h across the change", ber(10, 26, 12, 0), 24 * time.Hour, ber(10, 27, 0, 0)},
	}
	for _, tt := range tests {
		if got := nextBoundary(tt.t, tt.every); !got.Equal(tt.want) {
			t.Errorf("%s: nextBoundary(%s, %s) = %s, want %s", tt.name, tt.t, tt.every, got, tt.want)
		}
	}
}

func TestRotateEveryValidated(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []time.Duration{-time.Hour, time.Millisecond, 999 * time.Millisecond, 36 * time.Hour} {
		if f, err := Open(Options{Path: filepath.Join(dir, "x.log"), RotateEvery: d}); err == nil {
			f.Close()
			t.Errorf("Open accepted RotateEvery %s", d)
		}
	}
	f := openT(t, Options{Path: filepath.Join(dir, "y.log"), RotateEvery: 48 * time.Hour})
	if err := f.SetLimits(Limits{RotateEvery: 25 * time.Hour}); err == nil {
		t.Errorf("SetLimits accepted RotateEvery 25h")
	}
}

// backupTimes returns the times in the names of path's backups.
func backupTimes(t *testing.T, path string) []time.Time {
	t.Helper()
	prefix, ext := splitName(filepath.Base(path))
	var out []time.Time
	for _, n := range backups(t, path) {
		bt, ok := backupTime(n, prefix, ext)
		if !ok {
			t.Fatalf("%s is no backup", n)
		}
		out = append(out, bt)
	}
	return out
}

// TestTimedRotationIsAlignedAndSleepsBetween, in fake time: the file is
// rotated exactly at the boundary (the backup's name says so), an empty
// file is not rotated, and an idle File wakes once a period, no more.
func TestTimedRotationIsAlignedAndSleepsBetween(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.log")
		start := time.Now()
		f := openT(t, Options{Path: path, RotateEvery: time.Hour})
		time.Sleep(20 * time.Minute)
		if _, err := f.Write([]byte("a\n")); err != nil {
			t.Fatal(err)
		}
		first := nextBoundary(start, time.Hour)
		time.Sleep(time.Until(first))
		synctest.Wait()
		if got := backupTimes(t, path); len(got) != 1 || !got[0].Equal(first.UTC()) {
			t.Fatalf("backups at %v, want one named for the boundary %s", got, first.UTC())
		}
		if first.Minute() != 0 || first.Second() != 0 {
			t.Errorf("boundary %s is not on the hour", first)
		}
		if data := readLogs(t, path); string(data[0].data) != "a\n" || len(data[1].data) != 0 {
			t.Errorf("backup %q, current %q; want the line in the backup", data[0].data, data[1].data)
		}
		time.Sleep(10*time.Hour + time.Minute)
		synctest.Wait()
		if n := len(backups(t, path)); n != 1 {
			t.Errorf("%d backups after 10 idle hours, want no rotation of the empty file", n)
		}
		if w := f.wakes.Load(); w != 11 {
			t.Errorf("the timer fired %d times in 11 periods", w)
		}
		if err := f.SetLimits(Limits{}); err != nil { // time rotation off
			t.Fatal(err)
		}
		time.Sleep(5 * time.Hour)
		synctest.Wait()
		if w := f.wakes.Load(); w != 11 {
			t.Errorf("the timer fired %d times, want none after RotateEvery went to 0", w-11)
		}
	})
}

// TestTimedRotationSurvivesRestarts: Open schedules by the existing file's
// last write, so a file last written before a boundary that passed while no
// wrapper ran is rotated at once, and a fresh one at the next boundary.
func TestTimedRotationSurvivesRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		old := filepath.Join(dir, "old.log")
		if err := os.WriteFile(old, []byte("yesterday\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(old, time.Now().Add(-30*time.Hour), time.Now().Add(-30*time.Hour)); err != nil {
			t.Fatal(err)
		}
		openT(t, Options{Path: old, RotateEvery: 24 * time.Hour})
		synctest.Wait()
		if files := readLogs(t, old); len(files) != 2 || string(files[0].data) != "yesterday\n" {
			t.Errorf("files %q, want yesterday's file rotated at Open", files)
		}

		fresh := filepath.Join(dir, "fresh.log")
		if err := os.WriteFile(fresh, []byte("today\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(fresh, time.Now(), time.Now()); err != nil {
			t.Fatal(err)
		}
		openT(t, Options{Path: fresh, RotateEvery: 24 * time.Hour})
		next := nextBoundary(time.Now(), 24*time.Hour)
		time.Sleep(time.Until(next) - time.Second)
		synctest.Wait()
		if n := len(backups(t, fresh)); n != 0 {
			t.Errorf("%d backups before the boundary, want 0", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := backupTimes(t, fresh); len(got) != 1 || !got[0].Equal(next.UTC()) {
			t.Errorf("backups at %v, want one at %s", got, next.UTC())
		}
	})
}

// TestTimeAndSizeRulesShareRetention: both rules rotate the same file;
// MaxFiles and Compress apply to the backups of both.
func TestTimeAndSizeRulesShareRetention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.log")
		f := openT(t, Options{Path: path, RotateEvery: time.Hour, MaxSize: MinMaxSize, MaxFiles: 3, Compress: Gzip})
		var all bytes.Buffer
		for h := range 5 {
			data := lines(fmt.Sprintf("h%d", h), 0, 30)
			all.Write(data)
			if _, err := f.Write(data); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Until(nextBoundary(time.Now(), time.Hour)))
			synctest.Wait()
		}
		time.Sleep(compressQuiet) // the pause after which the mill compresses
		synctest.Wait()
		names := backups(t, path)
		if len(names) != 3 {
			t.Fatalf("backups %q, want MaxFiles 3", names)
		}
		for _, n := range names {
			if !strings.HasSuffix(n, gzipSuffix) {
				t.Errorf("%s is not compressed", n)
			}
		}
		files := readLogs(t, path)
		kept := concat(files)
		if !bytes.HasSuffix(all.Bytes(), kept) || len(files[len(files)-1].data) != 0 {
			t.Errorf("the kept backups are not the newest lines, or the current file is not empty")
		}
		for _, fl := range files[:len(files)-1] {
			if len(fl.data) == 0 || len(fl.data) > int(MinMaxSize) || fl.data[len(fl.data)-1] != '\n' {
				t.Errorf("backup %s: %d bytes, want whole lines, at most MaxSize", fl.name, len(fl.data))
			}
		}
		if got := f.Rotations(); got < 5+5 {
			t.Errorf("%d rotations, want 5 by time and more by size", got)
		}
	})
}

// TestTimedRotationKeepsLinesWhole, in real time: a pump fed through a real
// pipe in chunks that ignore line ends, rotated by the clock every second,
// loses and splits no line. MaxSize is out of reach, so every rotation is
// a timed one. After each batch the writer holds back the end of its last
// line until the pump has written the lines before it: the volume stays
// small whatever the machine's speed, and periods end while the pump holds
// a partial line.
func TestTimedRotationKeepsLinesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	f := openT(t, Options{Path: path, RotateEvery: time.Second, MaxSize: 1 << 30})
	p := startPump(t, f)
	var all bytes.Buffer
	sent := 0 // bytes of all in the pipe
	end := time.Now().Add(deadline)
	for i := 0; f.Rotations() < 2; i++ {
		if time.Now().After(end) {
			t.Fatalf("no two rotations in %s", deadline)
		}
		all.Write(lines("t", i*50, i*50+50))
		held := 1 + i%9 // of the last line, at least 10 bytes long
		writeChunks(t, p.pw, all.Bytes()[sent:all.Len()-held], uint64(i))
		sent = all.Len() - held
		whole := int64(bytes.LastIndexByte(all.Bytes()[:sent], '\n') + 1)
		waitFor(t, "the pump to write the whole lines", func() bool { return f.Written() >= whole })
	}
	writeChunks(t, p.pw, all.Bytes()[sent:], 0)
	p.finish(t)
	// The timer rotates on after the pump returned: one firing between
	// readLogs listing the backups and reading the current file would move
	// the current file's lines into a backup it does not read. Close stops
	// the timer, so the files read are the files as they stand.
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	files := readLogs(t, path)
	if got := concat(files); !bytes.Equal(got, all.Bytes()) {
		t.Fatalf("the files hold %d bytes, want the %d written, in order", len(got), all.Len())
	}
	if got, want := len(files)-1, f.Rotations(); int64(got) != want {
		t.Errorf("%d backups after %d rotations", got, want)
	}
	for _, fl := range files[:len(files)-1] {
		if len(fl.data) == 0 || fl.data[len(fl.data)-1] != '\n' {
			t.Errorf("backup %s is empty or ends inside a line", fl.name)
		}
	}
}

// TestRotationLeavesThePumpsPartialLineWhole, in fake time: a rotation by
// the clock, or by Rotate (the control command rotate), that comes while
// the pump holds the start of a line moves the complete lines aside, and
// the partial line goes whole into the new file once its end arrives.
func TestRotationLeavesThePumpsPartialLineWhole(t *testing.T) {
	for _, by := range []string{"timer", "Rotate"} {
		t.Run(by, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { rotateWhileHoldingAPartialLine(t, by == "timer") })
		})
	}
}

func rotateWhileHoldingAPartialLine(t *testing.T, byTimer bool) {
	path := filepath.Join(t.TempDir(), "out.log")
	f := openT(t, Options{Path: path, RotateEvery: time.Hour})
	// An io.Pipe, not an os.Pipe: a pump blocked in its read is then
	// durably blocked, which synctest.Wait needs.
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := f.ReadFrom(pr)
		done <- err
	}()
	write := func(s string) {
		if _, err := pw.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	write("one\ntw")
	synctest.Wait() // the pump wrote "one\n" and holds "tw"
	if byTimer {
		time.Sleep(time.Until(nextBoundary(time.Now(), time.Hour)))
		synctest.Wait()
	} else if err := f.Rotate(); err != nil {
		t.Fatal(err)
	}
	if n := f.Rotations(); n != 1 {
		t.Fatalf("%d rotations while the pump held a partial line, want 1", n)
	}
	write("o\nthr")
	write("ee\n")
	_ = pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	files := readLogs(t, path)
	if len(files) != 2 || string(files[0].data) != "one\n" || string(files[1].data) != "two\nthree\n" {
		t.Errorf("files %q, want the backup \"one\\n\" and the current file \"two\\nthree\\n\"", files)
	}
}
