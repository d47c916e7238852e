package migrate

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// WinSW reads its XML with .NET, which takes any encoding the file
// declares or marks; Go's decoder takes UTF-8 alone. Windows editors also
// save UTF-16 (Notepad's "Unicode") and Windows-1252, so these are read
// too.

// utf8Text turns a UTF-16 file, recognised by its byte order mark, into
// UTF-8; other data is returned as it is.
func utf8Text(data []byte) []byte {
	var order func([]byte) uint16
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		order = func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		order = func(b []byte) uint16 { return uint16(b[1]) | uint16(b[0])<<8 }
	default:
		return data
	}
	units := make([]uint16, 0, len(data)/2)
	for i := 2; i+1 < len(data); i += 2 {
		units = append(units, order(data[i:]))
	}
	return []byte(string(utf16.Decode(units)))
}

// cp1252 are the characters of Windows-1252's bytes 0x80 to 0x9F (where
// it differs from ISO-8859-1); the five unassigned bytes keep their C1
// code points, as Windows maps them.
const cp1252 = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ"

// charset is the decoder's CharsetReader: UTF-16 was converted by
// utf8Text, ASCII is UTF-8, and single-byte Latin text is converted.
func charset(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-16", "utf-16le", "utf-16be", "unicode", "us-ascii", "ascii":
		return in, nil
	case "windows-1252", "cp1252", "iso-8859-1", "latin1":
	default:
		return nil, fmt.Errorf("encoding %q: save the file as UTF-8", label)
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	table := []rune(cp1252)
	var b strings.Builder
	for _, c := range data {
		switch {
		case c < 0x80 || c >= 0xa0 || strings.HasPrefix(strings.ToLower(label), "iso"):
			b.WriteRune(rune(c))
		default:
			b.WriteRune(table[c-0x80])
		}
	}
	return strings.NewReader(b.String()), nil
}
