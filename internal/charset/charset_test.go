package charset

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// TestTableIsGenerated: table.go is what gen.go writes from the x/text
// version in go.mod, so the names are those the indexes know.
func TestTableIsGenerated(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to run gen.go")
	}
	out := filepath.Join(t.TempDir(), "table.go")
	if b, err := exec.Command("go", "run", "gen.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("table.go is stale: run go generate ./internal/charset")
	}
}

// sample holds every byte value and common multi-byte sequences.
func sample() []byte {
	b := make([]byte, 0, 512)
	for i := range 256 {
		b = append(b, byte(i))
	}
	return append(b, 0xd6, 0xd0, 0x93, 0xfa, 0x81, 0x30, 0x81, 0x30, 0xa4, 0x40, 0x0a, 0x00)
}

func decode(t *testing.T, tr transform.Transformer, b []byte) string {
	t.Helper()
	s, _, err := transform.String(tr, string(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return s
}

// TestNamesDecodeAsTheIndexesSay: each name decodes as the index that
// knows it (WHATWG first) decodes, UTF-16 apart from its byte order mark.
func TestNamesDecodeAsTheIndexesSay(t *testing.T) {
	names := []string{"utf-16le", "UTF-16BE", "utf-16", "gbk", "GB18030", "shift_jis", "sjis", "euc-kr",
		"big5", "windows-1251", "cp1252", "latin1", "ascii", "ibm866", "koi8-r", "euc-jp", "iso-2022-jp",
		"cp437", "IBM850", "IBM00858", "hz-gb-2312", "macintosh", "x-user-defined"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want, err := htmlindex.Get(name)
			if err != nil || want == encoding.Replacement {
				if want, err = ianaindex.IANA.Encoding(name); err != nil || want == nil {
					t.Fatalf("neither index decodes %q", name)
				}
			}
			dec, err := NewDecoder(name)
			if err != nil || dec == nil {
				t.Fatalf("NewDecoder(%q) = %v, %v", name, dec, err)
			}
			if got, exp := decode(t, dec, sample()), decode(t, want.NewDecoder(), sample()); got != exp {
				t.Errorf("decodes to %q, the index's encoding to %q", got, exp)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "utf-8"}, {"UTF8", "utf-8"}, {"65001", "utf-8"}, {"utf-16", "utf-16le"}, {"UTF16LE", "utf-16le"},
		{"1201", "utf-16be"}, {"936", "gbk"}, {"cp936", "gbk"}, {"GB2312", "gbk"}, {"54936", "gb18030"},
		{"Shift-JIS", "shift_jis"}, {"cp932", "shift_jis"}, {"cp949", "euc-kr"}, {"950", "big5"},
		{"cp437", "ibm437"}, {"850", "ibm850"}, {"cp1252", "windows-1252"}, {"latin1", "windows-1252"},
		{" Windows-1251 ", "windows-1251"}, {"koi8r", "koi8-r"},
	}
	for _, tt := range tests {
		if got, ok := Canonical(tt.in); !ok || got != tt.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"x", "utf-9", "gbkk", "cp65000", "replacement", "iso-2022-kr"} {
		if got, ok := Canonical(bad); ok {
			t.Errorf("Canonical(%q) = %q, want unknown", bad, got)
		}
		if _, err := NewDecoder(bad); err == nil {
			t.Errorf("NewDecoder(%q) succeeded", bad)
		}
	}
	if !slices.IsSorted(Names()) || !slices.Contains(Names(), "shift_jis") || slices.Contains(Names(), "sjis") {
		t.Errorf("Names() = %q, want the sorted canonical names", Names())
	}
	for _, n := range Names() {
		if c, ok := Canonical(n); !ok || c != n {
			t.Errorf("canonical name %q is not its own canonical name (%q, %v)", n, c, ok)
		}
	}
}

// TestUTF8NeedsNoDecoder: the default costs nothing.
func TestUTF8NeedsNoDecoder(t *testing.T) {
	for _, n := range []string{"", "utf-8", "UTF8", "unicode-1-1-utf-8", "65001"} {
		if d, err := NewDecoder(n); d != nil || err != nil {
			t.Errorf("NewDecoder(%q) = %v, %v; want nil, nil", n, d, err)
		}
	}
}

// TestDecoding: UTF-16 drops a leading byte order mark (and follows a
// mark of the other order), invalid bytes become U+FFFD and the newline
// after them survives.
func TestDecoding(t *testing.T) {
	tests := []struct {
		enc  string
		in   []byte
		want string
	}{
		{"utf-16le", []byte{0xff, 0xfe, 'a', 0, 0xe9, 0, '\n', 0}, "aé\n"},
		{"utf-16le", []byte{'a', 0, '\n', 0}, "a\n"},
		{"utf-16le", []byte{0xfe, 0xff, 0, 'a', 0, '\n'}, "a\n"},
		{"utf-16be", []byte{0xfe, 0xff, 0x4e, 0x2d, 0, '\n'}, "中\n"},
		{"utf-16le", []byte{0x00, 0xd8, '\n', 0}, "\ufffd\n"}, // lone surrogate
		{"utf-16le", []byte{'a', 0, '\n'}, "a\ufffd"},         // odd byte at the end
		{"gbk", []byte{0xd6, 0xd0, 0xce, 0xc4, '\n'}, "中文\n"},
		{"gbk", []byte{0x81, '\n', 'x'}, "\ufffd\nx"},
		{"gbk", []byte{0xd6}, "\ufffd"},
		{"shift_jis", []byte{0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, '\r', '\n'}, "日本語\r\n"},
		{"cp437", []byte{0xc9, 0xcd, 0xbb, '\n'}, "╔═╗\n"},
		{"windows-1252", []byte{0x80, 0x81, '\n'}, "€\ufffd\n"}, // 0x81 is unassigned
	}
	for _, tt := range tests {
		dec, err := NewDecoder(tt.enc)
		if err != nil {
			t.Fatal(err)
		}
		if got := decode(t, dec, tt.in); got != tt.want {
			t.Errorf("%s % x: got %q, want %q", tt.enc, tt.in, got, tt.want)
		}
	}
}
