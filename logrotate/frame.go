package logrotate

import (
	"bytes"
	"time"
)

// stampLayout is RFC 3339 with milliseconds.
const stampLayout = "2006-01-02T15:04:05.000Z07:00"

// appendStamp appends the timestamp prefix for t, stampLayout and a space,
// to b.
func appendStamp(b []byte, t time.Time) []byte {
	return append(t.AppendFormat(b, stampLayout), ' ')
}

// frame appends data to out as lines: every line (the last may lack its
// '\n') is cut into pieces of at most limit bytes, each prefixed with
// stamp and terminated by '\n'. It stops once out has reached flushAt and
// returns out and the rest of data, to frame after out is written.
func frame(out, data, stamp []byte, limit int) (framed, rest []byte) {
	for len(data) > 0 && len(out) < flushAt {
		i := bytes.IndexByte(data, '\n')
		if i < 0 || i > limit {
			out, data = frameLong(out, data, stamp, limit)
			continue
		}
		// The common case: a line that fits, copied with its '\n'.
		out = append(append(out, stamp...), data[:i+1]...)
		data = data[i+1:]
	}
	return out, data
}

// frameLong frames the first line of data in pieces of limit bytes at
// most, until out reaches flushAt. It returns out and the rest of data.
func frameLong(out, data, stamp []byte, limit int) (framed, rest []byte) {
	end, next := len(data), len(data) // the line is data[:end], what follows data[next:]
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		end, next = i, i+1
	}
	for pos := 0; ; {
		piece := data[pos:min(end, pos+limit)]
		out = append(append(append(out, stamp...), piece...), '\n')
		pos += len(piece)
		if pos == end {
			return out, data[next:]
		}
		if len(out) >= flushAt {
			return out, data[pos:]
		}
	}
}
