package logrotate

import (
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"github.com/wrapper-dev/wrapper/internal/charset"
)

// decodeReader decodes what it reads from r to UTF-8 for ReadFrom, which
// then frames, rotates, counts and remembers the decoded lines exactly as it
// does undecoded ones. A character cut between two reads waits in src for
// the rest of its bytes; a UTF-16 '\n' is two bytes and ReadFrom sees it as
// one. Bytes that are not valid in the encoding become U+FFFD, never an
// error: the child's output keeps flowing.
type decodeReader struct {
	r      io.Reader
	t      transform.Transformer
	src    []byte // raw input; src[lo:hi] is not decoded yet
	lo, hi int
	err    error // what ended r, returned once src is decoded
	raw    int64 // bytes read from r
}

// newDecodeReader returns r itself for UTF-8 (no copy, no extra call) and
// a decodeReader for any other encoding. enc was validated by Open or
// SetLimits.
func newDecodeReader(r io.Reader, enc string) (io.Reader, *decodeReader) {
	t, err := charset.NewDecoder(enc)
	if err != nil || t == nil {
		return r, nil
	}
	d := &decodeReader{r: r, t: t, src: make([]byte, firstReadSize)}
	return d, d
}

// Read decodes into p, reading from r only when no undecoded input is
// left that could produce output. It returns (0, err) only once the input
// ended and everything read has been decoded.
func (d *decodeReader) Read(p []byte) (int, error) {
	if len(p) < utf8.UTFMax {
		return 0, io.ErrShortBuffer // ReadFrom always offers firstReadSize or more
	}
	for {
		if d.lo < d.hi || d.err != nil {
			atEOF := d.err != nil
			nDst, nSrc, err := d.t.Transform(p, d.src[d.lo:d.hi], atEOF)
			d.lo += nSrc
			if nDst == 0 && nSrc == 0 && d.lo < d.hi && (atEOF || !errors.Is(err, transform.ErrShortSrc)) {
				// A transformer that neither decodes nor can get more
				// input would stall the pump: give up on one byte.
				nDst = copy(p, "\uFFFD")
				d.lo++
				d.t.Reset()
			}
			if nDst > 0 {
				return nDst, nil
			}
			if atEOF && d.lo == d.hi {
				return 0, d.err
			}
		}
		if d.lo == d.hi {
			d.lo, d.hi = 0, 0
		} else if d.lo > 0 {
			d.hi = copy(d.src, d.src[d.lo:d.hi])
			d.lo = 0
		}
		if d.hi == len(d.src) {
			// A whole buffer that is one unfinished character: give up on
			// one byte rather than stop reading.
			d.lo = 1
			d.t.Reset()
			return copy(p, "\uFFFD"), nil
		}
		n, err := d.r.Read(d.src[d.hi:])
		d.hi += n
		d.raw += int64(n)
		if err != nil {
			d.err = err
		}
	}
}
