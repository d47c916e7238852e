//go:build linux

package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The line layout of bench/gen.
const (
	lineLen   = 100
	headerLen = 13
	alphabet  = "abcdefghijklmnopqrstuvwxyz"
	// stampLayout is the prefix logrotate writes with timestamps: true.
	stampLayout = "2006-01-02T15:04:05.000Z07:00"
)

// checker follows every stream's sequence across the files.
type checker struct {
	stamps  bool
	filler  string
	next    map[byte]int // next expected number per stream
	lines   int
	errs    []string
	nerrs   int
	stamped time.Time // last timestamp seen: they must not go backwards
}

// cmdCheck verifies that the files of one log, backups in rotation order and
// then the current file, hold exactly n lines as gen writes them: each
// stream numbered from 1 without gap, duplicate, split or corruption. It
// prints how many backups are compressed and how many plain, and fails on a
// backup left both plain and compressed (an interrupted compression).
func cmdCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	n := fs.Int("n", 0, "lines expected in all")
	stamps := fs.Bool("timestamps", false, "lines carry the timestamp prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want one path")
	}
	files, compressed, err := logFiles(fs.Arg(0))
	if err != nil {
		return err
	}
	c := &checker{stamps: *stamps, next: map[byte]int{}}
	for len(c.filler) < lineLen+len(alphabet) {
		c.filler += alphabet
	}
	for _, f := range files {
		if err := c.file(f); err != nil {
			return err
		}
	}
	if c.lines != *n {
		c.fail("%d lines, want %d", c.lines, *n)
	}
	if c.nerrs > 0 {
		return fmt.Errorf("%d problems in %d files, first:\n  %s", c.nerrs, len(files), strings.Join(c.errs, "\n  "))
	}
	fmt.Printf("lines=%d files=%d compressed=%d plain=%d\n", c.lines, len(files), compressed, len(files)-1-compressed)
	return nil
}

// compressedSuffix ends the names logrotate gives compressed backups.
const compressedSuffix = ".gz"

// logFiles returns the backups of path in name order, then path, and how
// many backups are compressed. A backup left both plain and compressed
// (an interrupted compression: the plain one is whole) is an error.
func logFiles(path string) ([]string, int, error) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	matches, err := filepath.Glob(stem + "-*" + ext + "*")
	if err != nil {
		return nil, 0, err
	}
	copies := map[string][]string{} // plain name → the files of that backup
	for _, m := range matches {
		plain := strings.TrimSuffix(m, compressedSuffix)
		if strings.HasSuffix(plain, ext) {
			copies[plain] = append(copies[plain], m)
		}
	}
	var backups []string
	compressed := 0
	for plain, files := range copies {
		if len(files) > 1 {
			return nil, 0, fmt.Errorf("%s: left both plain and compressed: %v", plain, files)
		}
		backups = append(backups, files[0])
		if files[0] != plain {
			compressed++
		}
	}
	sort.Strings(backups)
	return append(backups, path), compressed, nil
}

func (c *checker) fail(format string, args ...any) {
	c.nerrs++
	if len(c.errs) < 10 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

func (c *checker) file(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	switch {
	case strings.HasSuffix(path, compressedSuffix):
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	br := bufio.NewReaderSize(r, 1<<20)
	name := filepath.Base(path)
	for i := 1; ; i++ {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			c.line(name, i, line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
}

// line checks one line, timestamp prefix removed.
func (c *checker) line(file string, no int, line []byte) {
	c.lines++
	if c.stamps {
		sp := bytes.IndexByte(line, ' ')
		t, err := time.Parse(stampLayout, string(line[:max(sp, 0)]))
		if sp < 0 || err != nil {
			c.fail("%s:%d: no timestamp: %.40q", file, no, line)
			return
		}
		if t.Before(c.stamped) {
			c.fail("%s:%d: timestamp goes back", file, no)
		}
		c.stamped = t
		line = line[sp+1:]
	}
	if len(line) != lineLen || line[lineLen-1] != '\n' || line[1] != ' ' || line[headerLen-1] != ' ' {
		c.fail("%s:%d: malformed (%d bytes): %.40q", file, no, len(line), line)
		return
	}
	seq, err := strconv.Atoi(string(line[2 : headerLen-1]))
	if err != nil {
		c.fail("%s:%d: bad number: %.40q", file, no, line)
		return
	}
	k := seq % len(alphabet)
	if string(line[headerLen:lineLen-1]) != c.filler[k:k+lineLen-1-headerLen] {
		c.fail("%s:%d: corrupt filler: %.40q", file, no, line)
	}
	s := line[0]
	want := c.next[s]
	if want == 0 {
		want = 1
	}
	if seq != want {
		c.fail("%s:%d: stream %c line %d, want %d", file, no, s, seq, want)
	}
	c.next[s] = seq + 1
}
