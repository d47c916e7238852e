package logrotate

import (
	"bytes"
	"fmt"
	"time"
)

// tailLines is how many recent lines File.Tail keeps; tailLineMax bounds
// each kept line's length in bytes.
const (
	tailLines   = 20
	tailLineMax = 1024
)

// Limits are the settings of a File that SetLimits can change while it is
// in use. The fields mean what the Options fields of the same names mean.
type Limits struct {
	MaxSize     int64
	MaxFiles    int
	MaxAge      time.Duration
	Compress    Compression
	Timestamps  bool
	RotateEvery time.Duration
	Encoding    string
}

// SetLimits changes the rotation and framing settings of f from the next
// write on: `wrapper reload` applies log settings without a restart.
// MaxSize and Timestamps apply to the next write; a new RotateEvery from
// now (the current period ends at its next boundary); a new Encoding to
// the next ReadFrom (the next child's output); new MaxFiles, MaxAge and
// Compress settings start a pass of the backup mill at once.
func (f *File) SetLimits(l Limits) error {
	o := Options{Path: f.path, MaxSize: l.MaxSize, MaxFiles: l.MaxFiles, MaxAge: l.MaxAge,
		Compress: l.Compress, RotateEvery: l.RotateEvery, Encoding: l.Encoding}
	if err := validate(&o); err != nil {
		return fmt.Errorf("set limits of %s: %w", f.path, err)
	}
	f.mu.Lock()
	f.maxSize, f.stamps, f.encoding = o.MaxSize, l.Timestamps, o.Encoding
	if o.RotateEvery != f.every && !f.closed {
		f.every = o.RotateEvery
		f.startTimerLocked(time.Now())
	}
	f.mu.Unlock()
	if f.mill.set(millLimitsOf(o.MaxFiles, o.MaxAge, l.Compress)) {
		f.mill.signal()
	}
	return nil
}

// Tail returns copies of the last complete lines written (at most 20, each
// cut to 1 KiB, without timestamps or line ends), oldest first: what a
// child wrote to stderr just before it died, for `wrapper status`. It is
// empty unless Options.KeepTail was set.
func (f *File) Tail() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.tail))
	for i := range f.tail {
		out = append(out, string(f.tail[(f.tailNext+i)%len(f.tail)]))
	}
	return out
}

// keepTail records the last lines of data (called with f.mu held). It
// scans backwards from the end, so a large batch costs only its last lines.
func (f *File) keepTail(data []byte) {
	data = bytes.TrimSuffix(data, []byte{'\n'})
	var found [tailLines][]byte // on the stack: no allocation per batch
	lines := found[:0]
	for len(lines) < tailLines && len(data) > 0 {
		i := bytes.LastIndexByte(data, '\n')
		lines = append(lines, data[i+1:])
		if i < 0 {
			break
		}
		data = data[:i]
	}
	for j := len(lines) - 1; j >= 0; j-- { // oldest first
		line := bytes.TrimSuffix(lines[j], []byte{'\r'})
		line = line[:min(len(line), tailLineMax)]
		if len(f.tail) < tailLines {
			f.tail = append(f.tail, append([]byte(nil), line...))
			continue
		}
		// Reuse the slot's array: a full ring costs no allocation.
		f.tail[f.tailNext] = append(f.tail[f.tailNext][:0], line...)
		f.tailNext = (f.tailNext + 1) % tailLines
	}
}
