package logrotate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
)

const (
	// readSize is how much ReadFrom asks for in every read, always the full
	// amount whatever partial line it carries: asking for "64 KiB minus the
	// tail" left part of a page in the pipe, so the child's next write
	// blocked and the two processes traded the CPU on every read (the
	// bench's throughput case shows it). It is the pipe's size on Linux
	// (pipeSize in supervisor/process_linux.go): a read takes what a fast
	// child wrote while the last batch was written, and the batch is
	// written in one write. Each write into the page cache starts and ends
	// with a ramp of small folios where it is not aligned, whose cost the
	// larger write spreads over more bytes (docs/performance.md). A line
	// longer than this is split.
	readSize = 1 << 20
	// firstReadSize is the read size ReadFrom starts with, until a read
	// comes back full (the child is ahead) or a partial line outgrows it:
	// a child that writes little never costs the larger buffer, which
	// showed in the idle wrapper's memory.
	firstReadSize = 256 << 10
	// flushAt bounds the framing buffer: framed output is written whenever
	// it reaches this size. It holds a full read framed with timestamps
	// (a quarter more for 100-byte lines) in one write.
	flushAt = 2 << 20
	// maxScratch is the largest framing buffer kept between calls: what
	// flushAt plus one piece can grow to.
	maxScratch = 4 << 20
)

// ReadFrom copies r into the file until EOF (returning nil) or another read
// error (returned, wrapped), and returns the number of bytes read from r.
// It implements io.ReaderFrom.
//
// With an Encoding other than UTF-8, what is read is first decoded to
// UTF-8 (see decodeReader), and everything below applies to the decoded
// text; the encoding is the one set when ReadFrom starts.
//
// Output is written in batches of whole lines: everything up to the last
// '\n' of each read, in as few writes as rotation allows; the partial line
// after it waits for the next read. A partial last line at EOF is written
// followed by '\n', so that the next child's first line starts a line of its
// own. A line longer than the read size (1 MiB) or than MaxSize is split
// into pieces, each ending in '\n'. Other bytes, CR and binary included,
// pass through unchanged.
//
// A failed write never stops the reading: the batch is counted in Dropped
// and the next batch tries again. Several ReadFrom calls may run at once on
// one File (stdout and stderr to one path); their lines interleave whole.
func (f *File) ReadFrom(r io.Reader) (int64, error) {
	f.mu.Lock()
	enc := f.encoding
	f.mu.Unlock()
	r, dec := newDecodeReader(r, enc)
	// Reads land in the second half of buf, a page-aligned offset of a
	// large allocation; the partial line of the previous read is kept
	// just before it, so a batch is contiguous. The kernel copies out of
	// the pipe to an aligned address: reading after the partial line
	// instead (a few dozen bytes in) made that copy the wrapper's largest
	// cost (the bench's throughput case shows it).
	size := firstReadSize
	buf := make([]byte, 2*size)
	var total int64
	tail := 0 // buf[size-tail:size] holds a partial line
	var y yielder
	for {
		n, err := r.Read(buf[size:])
		total += int64(n)
		y.afterRead(n)
		rest := f.writeRead(buf[size-tail:size+n], n, err != nil)
		if size < readSize && (n == size || len(rest) > size) {
			// The child is ahead of the pump, or a line outgrew the
			// buffer: full-size reads from now on.
			size = readSize
			buf = make([]byte, 2*size)
		}
		tail = copy(buf[size-len(rest):size], rest)
		if err != nil && dec != nil {
			total = dec.raw
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, fmt.Errorf("read log source for %s: %w", f.path, err)
		}
	}
}

// writeRead writes the lines of data, the partial line of earlier reads
// followed by fresh bytes just read, and returns the partial line left at
// its end; at the end of the input (last) it writes that line too.
// Failures are counted and reported by writeLines.
func (f *File) writeRead(data []byte, fresh int, last bool) (rest []byte) {
	if tail := len(data) - fresh; tail > 0 {
		// The tail holds no '\n'; if the fresh bytes end its line past
		// readSize, a piece goes first.
		if i := bytes.IndexByte(data[tail:], '\n'); tail+i > readSize {
			_ = f.writeLines(data[:readSize]) // framing terminates the piece with '\n'
			data = data[readSize:]
			fresh = len(data)
		}
	}
	if i := bytes.LastIndexByte(data[len(data)-fresh:], '\n'); i >= 0 {
		cut := len(data) - fresh + i + 1
		_ = f.writeLines(data[:cut])
		data = data[cut:]
	}
	for len(data) >= readSize { // a line longer than readSize: write a piece
		_ = f.writeLines(data[:readSize])
		data = data[readSize:]
	}
	if last && len(data) > 0 {
		_ = f.writeLines(data)
		data = nil
	}
	return data
}

// Write writes p, which should hold whole lines (as a slog handler writes
// them), with the same framing, rotation and failure accounting as
// ReadFrom: a missing final '\n' is added, lines longer than MaxSize are
// split and Timestamps applies. It returns len(p) on success; on failure the
// lost bytes are counted in Dropped and the error is returned.
func (f *File) Write(p []byte) (int, error) {
	if err := f.writeLines(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeLines writes data as lines under the lock and reports failures and
// recoveries after releasing it: the Logger may write into this File.
func (f *File) writeLines(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	var rep report
	f.mu.Lock()
	if f.tailOn {
		f.keepTail(data)
	}
	err := f.writeLinesLocked(data, &rep)
	f.mu.Unlock()
	f.report(rep)
	return err
}

// writeLinesLocked frames data (see frame), with the timestamp of now
// and pieces that fit MaxSize with it, and writes it. Without timestamps,
// data that already ends in '\n' and is no longer than MaxSize needs no
// framing and is written as is: the common case costs no copy.
func (f *File) writeLinesLocked(data []byte, rep *report) error {
	stamp := f.stamp[:0]
	if f.stamps {
		stamp = appendStamp(stamp, f.now())
		f.stamp = stamp
	}
	if len(stamp) == 0 && data[len(data)-1] == '\n' && int64(len(data)) <= f.maxSize {
		return f.writeLocked(data, rep)
	}
	limit := int(f.maxSize) - len(stamp) - 1
	var firstErr error
	out := f.scratch[:0]
	if want := min(len(data)+len(data)/2, flushAt) + len(stamp) + 1; cap(out) < want {
		// Sized for the batch at once, with room for a prefix every 60
		// bytes or so: grown by append, a pump's buffer left several
		// smaller copies to the collector, which raised the wrapper's
		// peak RSS with timestamps by a third.
		out = make([]byte, 0, want)
	}
	for len(data) > 0 {
		out, data = frame(out[:0], data, stamp, limit)
		if err := f.writeLocked(out, rep); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if cap(out) <= maxScratch {
		f.scratch = out[:0]
	}
	return firstErr
}

// writeLocked writes out, whole lines each at most MaxSize long, rotating
// between lines so that no file grows above MaxSize. When rotation fails
// the lines are written anyway and the file grows past MaxSize until a
// later rotation succeeds.
func (f *File) writeLocked(out []byte, rep *report) error {
	if f.closed {
		f.dropped.Add(int64(len(out)))
		return fmt.Errorf("write log %s: %w", f.path, os.ErrClosed)
	}
	now := time.Now()
	f.checkLocked(now)
	if f.every > 0 {
		f.rotateOnTimeLocked(now, rep)
	}
	var firstErr error
	for len(out) > 0 {
		n, err := f.nextChunkLocked(out, rep)
		if err != nil {
			f.failLocked(int64(len(out)), err, rep)
			return fmt.Errorf("write log %s: %w", f.path, err)
		}
		if err := f.writeChunkLocked(out[:n], rep); err != nil && firstErr == nil {
			firstErr = err
		}
		out = out[n:]
	}
	return firstErr
}

// nextChunkLocked opens the file if it is not open and returns how many
// bytes of out to write into it, rotating first when no line fits.
func (f *File) nextChunkLocked(out []byte, rep *report) (int, error) {
	if err := f.openLocked(rep); err != nil {
		return 0, err
	}
	if n := f.fit(out); n > 0 {
		return n, nil
	}
	f.autoRotateLocked(rep)
	// After a failed rotation the current file is opened again.
	if err := f.openLocked(rep); err != nil {
		return 0, err
	}
	if n := f.fit(out); n > 0 {
		return n, nil
	}
	return len(out), nil
}

// fit returns how many bytes of out, ending at a line boundary, fit in the
// current file; 0 means none: rotate first.
func (f *File) fit(out []byte) int {
	room := f.maxSize - f.size
	if int64(len(out)) <= room {
		return len(out)
	}
	if room <= 0 {
		return 0
	}
	n := bytes.LastIndexByte(out[:room], '\n') + 1
	if n == 0 && f.size == 0 {
		// A line longer than MaxSize (framing prevents it): write it
		// alone rather than rotate forever.
		if n = bytes.IndexByte(out, '\n') + 1; n == 0 {
			n = len(out)
		}
	}
	return n
}

// autoRotateLocked rotates because the next line does not fit or a period
// of RotateEvery ended (rotateOnTimeLocked). A failure is
// reported once; retries wait retryEvery.
func (f *File) autoRotateLocked(rep *report) {
	now := time.Now()
	if now.Before(f.rotateAt) {
		return
	}
	if err := f.rotateLocked(rep); err != nil {
		f.rotateAt = now.Add(f.retryEvery)
		if !f.failures.rotating {
			f.failures.rotating = true
			rep.add(slog.LevelWarn, "log rotation failed; writing on into the current file", slog.Any("err", err))
		}
		return
	}
	if f.failures.rotating {
		f.failures.rotating = false
		rep.add(slog.LevelInfo, "log rotation recovered")
	}
}

// writeChunkLocked writes p into the open file: one write system call, the
// only one a batch costs (the file is opened, checked and rotated apart).
func (f *File) writeChunkLocked(p []byte, rep *report) error {
	n, err := f.fh.Write(p)
	f.size += int64(n)
	f.written.Add(int64(n))
	if err != nil {
		f.failLocked(int64(len(p)-n), err, rep)
		return fmt.Errorf("write log %s: %w", f.path, err)
	}
	if f.failures.writing {
		f.failures.writing = false
		rep.add(slog.LevelInfo, "log writing resumed", slog.Int64("dropped_bytes", f.dropped.Load()-f.failures.base))
	}
	return nil
}

// failLocked counts lost bytes as dropped and reports the first failure
// after success.
func (f *File) failLocked(lost int64, err error, rep *report) {
	total := f.dropped.Add(lost)
	if !f.failures.writing {
		f.failures.writing = true
		f.failures.base = total - lost
		rep.add(slog.LevelError, "log write failed; dropping output until it recovers", slog.Any("err", err))
	}
}

// failureState tracks ongoing failures so each is reported once.
type failureState struct {
	writing  bool  // a write failed and none has succeeded since
	base     int64 // Dropped() when the write failure began
	rotating bool  // an automatic rotation failed and none has succeeded since
}

// event is a failure or recovery to report through Options.Logger.
type event struct {
	level slog.Level
	msg   string
	attrs []slog.Attr
}

// report collects events under the lock; it stays nil (no allocation)
// unless something happened.
type report []event

func (r *report) add(level slog.Level, msg string, attrs ...slog.Attr) {
	*r = append(*r, event{level: level, msg: msg, attrs: attrs})
}

// report delivers r to the Logger, or holds it (up to maxHeld events) for
// SetLogger while there is none.
func (f *File) report(r report) {
	if len(r) == 0 {
		return
	}
	f.logMu.Lock()
	l := f.logger
	if l == nil {
		f.held = append(f.held, r[:min(len(r), max(0, maxHeld-len(f.held)))]...)
	}
	f.logMu.Unlock()
	if l != nil {
		f.emit(l, r)
	}
}

func (f *File) emit(l *slog.Logger, r report) {
	for _, e := range r {
		attrs := append([]slog.Attr{slog.String("path", f.path)}, e.attrs...)
		l.LogAttrs(context.Background(), e.level, e.msg, attrs...)
	}
}
