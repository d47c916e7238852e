package logrotate

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

func init() { testHelpers = append(testHelpers, "write-bytes") }

// oddReader hands out what r reads in pieces of 1, 2, 3, 5 and 7 bytes in
// turn, so that the decoder sees every character cut somewhere.
type oddReader struct {
	r   io.Reader
	i   int
	buf []byte
}

func (o *oddReader) Read(p []byte) (int, error) {
	if len(o.buf) == 0 {
		b := make([]byte, 64)
		n, err := o.r.Read(b)
		if n == 0 {
			return 0, err
		}
		o.buf = b[:n]
	}
	sizes := []int{1, 2, 3, 5, 7}
	n := copy(p[:min(len(p), sizes[o.i%len(sizes)])], o.buf)
	o.i++
	o.buf = o.buf[n:]
	return n, nil
}

// encode returns text in enc, failing on a character enc lacks.
func encode(t *testing.T, enc encoding.Encoding, text string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatalf("encode %q: %v", text, err)
	}
	return b
}

// childWrites runs the write-bytes helper, which writes data cut into
// writes of 1, 2, 3, 5 and 7 bytes, and pumps its stdout into f through an
// oddReader: reads cut characters apart wherever the writes did not.
func childWrites(t *testing.T, f *File, data []byte) int64 {
	t.Helper()
	var args []string
	for i := 0; len(data) > 0; i++ {
		n := min(len(data), []int{1, 2, 3, 5, 7}[i%5])
		args = append(args, hex.EncodeToString(data[:n]))
		data = data[n:]
	}
	path, argv, env := fakechild.Command(t, "write-bytes", args...)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, argv...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, pw, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = pw.Close()
	n, err := f.ReadFrom(&oddReader{r: pr})
	_ = pr.Close()
	if err != nil {
		t.Errorf("ReadFrom: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
	return n
}

// TestChildOutputIsDecoded: a real child writes GBK, UTF-16LE (with a byte
// order mark), Shift_JIS and GB18030 text in writes that cut characters and
// UTF-16 newlines apart, read back in pieces that cut them elsewhere; the
// file holds exactly the UTF-8 lines, the partial last one terminated, and
// ReadFrom counts the bytes it read.
func TestChildOutputIsDecoded(t *testing.T) {
	tests := []struct {
		name, encoding string
		enc            encoding.Encoding
		text           string
	}{
		{"gbk", "gbk", simplifiedchinese.GBK, "第一行 first\n中文日志\r\n\nplain ascii\n末尾没有换行"},
		{"utf-16le", "UTF-16LE", unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "héllo wörld\n中文 ✓ 𝄞\r\nlast"},
		{"shift_jis", "shift_jis", japanese.ShiftJIS, "日本語の行\nｶﾀｶﾅ half width\n最後の行\n"},
		{"gb18030", "54936", simplifiedchinese.GB18030, "€ and 𝄞 take four bytes\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.log")
			f := openT(t, Options{Path: path, Encoding: tt.encoding})
			data := encode(t, tt.enc, tt.text)
			if n := childWrites(t, f, data); n != int64(len(data)) {
				t.Errorf("ReadFrom returned %d, want the %d bytes read", n, len(data))
			}
			want := tt.text
			if !strings.HasSuffix(want, "\n") {
				want += "\n"
			}
			if got := string(readOrEmpty(path)); got != want {
				t.Errorf("file holds\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestInvalidBytesBecomeReplacementCharacters: bytes the encoding does not
// define become U+FFFD; no line is lost, nothing stalls.
func TestInvalidBytesBecomeReplacementCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	f := openT(t, Options{Path: path, Encoding: "gbk"})
	data := []byte{'a', 0x81, '\n', 0xff, 0xff, '\n', 0xd6, 0xd0, '\n', 0xd6}
	childWrites(t, f, data)
	if got, want := string(readOrEmpty(path)), "a\ufffd\n\ufffd\ufffd\n中\n\ufffd\n"; got != want {
		t.Errorf("file holds %q, want %q", got, want)
	}
}

// TestDecodedOutputIsFramedLikeAnyOther: with GBK input, rotation by size,
// timestamps, Tail and the byte counts all work on the UTF-8 text.
func TestDecodedOutputIsFramedLikeAnyOther(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	clock := time.Date(2024, 5, 6, 7, 8, 9, 124e6, time.UTC)
	f := openT(t, Options{Path: path, MaxSize: MinMaxSize, Encoding: "gbk", Timestamps: true, KeepTail: true,
		Now: func() time.Time { return clock }})
	var text strings.Builder
	for i := range 300 {
		fmt.Fprintf(&text, "行 %03d 中文内容%s\n", i, strings.Repeat("字", i%9))
	}
	p := startPump(t, f)
	writeChunks(t, p.pw, encode(t, simplifiedchinese.GBK, text.String()), 3)
	p.finish(t)
	files := readLogs(t, path)
	if len(files) < 10 {
		t.Fatalf("%d files, want rotations at 1 KiB", len(files))
	}
	checkSizes(t, files, int(MinMaxSize))
	stamp := clock.Format(stampLayout) + " "
	var got strings.Builder
	var written int
	for _, fl := range files {
		written += len(fl.data)
		for l := range strings.Lines(string(fl.data)) {
			body, ok := strings.CutPrefix(l, stamp)
			if !ok || !utf8.ValidString(body) || strings.ContainsRune(body, utf8.RuneError) {
				t.Fatalf("%s: line %q is not a stamped, clean UTF-8 line", fl.name, l)
			}
			got.WriteString(body)
		}
	}
	if got.String() != text.String() {
		t.Errorf("decoded lines differ from the input")
	}
	if f.Written() != int64(written) {
		t.Errorf("Written() = %d, want %d, the bytes in the files", f.Written(), written)
	}
	all := strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n")
	if tail := f.Tail(); strings.Join(tail, "\n") != strings.Join(all[len(all)-tailLines:], "\n") {
		t.Errorf("Tail() = %q, want the last %d UTF-8 lines", tail, tailLines)
	}
}

// TestUTF8IsNotDecoded: the default reads straight into the pump (no
// decoder, no copy), and invalid UTF-8 passes unchanged.
func TestUTF8IsNotDecoded(t *testing.T) {
	for _, enc := range []string{"", "utf-8", "UTF8", "65001"} {
		r := bytes.NewReader(nil)
		if got, dec := newDecodeReader(r, enc); got != io.Reader(r) || dec != nil {
			t.Errorf("encoding %q: the reader was wrapped", enc)
		}
	}
	path := filepath.Join(t.TempDir(), "out.log")
	f := openT(t, Options{Path: path, Encoding: "utf-8"})
	data := []byte("ok \xff\xfe \xd6\xd0\n")
	childWrites(t, f, data)
	if got := readOrEmpty(path); !bytes.Equal(got, data) {
		t.Errorf("file holds %q, want the bytes unchanged %q", got, data)
	}
}

// TestEncodingValidatedAndChangedLive: an unknown name fails Open and
// SetLimits; a new encoding applies from the next ReadFrom.
func TestEncodingValidatedAndChangedLive(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(Options{Path: filepath.Join(dir, "x.log"), Encoding: "klingon"}); err == nil ||
		!strings.Contains(err.Error(), `log encoding "klingon": unknown`) {
		t.Fatalf("Open with an unknown encoding: %v", err)
	}
	path := filepath.Join(dir, "out.log")
	f := openT(t, Options{Path: path})
	if err := f.SetLimits(Limits{Encoding: "klingon"}); err == nil {
		t.Errorf("SetLimits accepted an unknown encoding")
	}
	childWrites(t, f, []byte{0xd6, 0xd0, '\n'})
	if err := f.SetLimits(Limits{Encoding: "GBK"}); err != nil {
		t.Fatal(err)
	}
	childWrites(t, f, []byte{0xd6, 0xd0, '\n'})
	if got, want := string(readOrEmpty(path)), "\xd6\xd0\n中\n"; got != want {
		t.Errorf("file holds %q, want %q", got, want)
	}
}
