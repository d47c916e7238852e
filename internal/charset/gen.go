//go:build ignore

// gen writes table.go: every name golang.org/x/text/encoding/htmlindex or
// ianaindex knows for an encoding x/text can decode, plus the Windows code
// page numbers, as a sorted array that needs no initialisation at start-up
// (the indexes build their maps in package init, which every wrapper would
// pay for; docs/performance.md). Run by `go generate ./internal/charset`.
//
// The names are read from the indexes' sources (their maps are not
// exported); each name's encoding is asked of the index itself.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// candidate is an encoding an index may return, the Go expression table.go
// uses for it, and the canonical name when the indexes' is not used.
type candidate struct {
	enc       encoding.Encoding
	expr      string
	canonical string
}

// candidates lists every encoding the indexes return. Both UTF-16 byte
// orders decode with UseBOM, so a leading byte order mark is dropped (and a
// mark of the other order switches to it), whatever the index's policy.
var candidates = []candidate{
	{unicode.UTF8, "", "utf-8"},
	{unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)", "utf-16le"},
	{unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "unicode.UTF16(unicode.BigEndian, unicode.UseBOM)", "utf-16be"},
	{unicode.UTF16(unicode.BigEndian, unicode.UseBOM), "unicode.UTF16(unicode.BigEndian, unicode.UseBOM)", "utf-16be"},
	{simplifiedchinese.GBK, "simplifiedchinese.GBK", ""},
	{simplifiedchinese.GB18030, "simplifiedchinese.GB18030", ""},
	{simplifiedchinese.HZGB2312, "simplifiedchinese.HZGB2312", ""},
	{traditionalchinese.Big5, "traditionalchinese.Big5", ""},
	{japanese.EUCJP, "japanese.EUCJP", ""},
	{japanese.ISO2022JP, "japanese.ISO2022JP", ""},
	{japanese.ShiftJIS, "japanese.ShiftJIS", ""},
	{korean.EUCKR, "korean.EUCKR", ""},
	{charmap.CodePage037, "charmap.CodePage037", ""},
	{charmap.CodePage437, "charmap.CodePage437", ""},
	{charmap.CodePage850, "charmap.CodePage850", ""},
	{charmap.CodePage852, "charmap.CodePage852", ""},
	{charmap.CodePage855, "charmap.CodePage855", ""},
	{charmap.CodePage858, "charmap.CodePage858", ""},
	{charmap.CodePage860, "charmap.CodePage860", ""},
	{charmap.CodePage862, "charmap.CodePage862", ""},
	{charmap.CodePage863, "charmap.CodePage863", ""},
	{charmap.CodePage865, "charmap.CodePage865", ""},
	{charmap.CodePage866, "charmap.CodePage866", ""},
	{charmap.CodePage1047, "charmap.CodePage1047", ""},
	{charmap.CodePage1140, "charmap.CodePage1140", ""},
	{charmap.ISO8859_1, "charmap.ISO8859_1", ""},
	{charmap.ISO8859_2, "charmap.ISO8859_2", ""},
	{charmap.ISO8859_3, "charmap.ISO8859_3", ""},
	{charmap.ISO8859_4, "charmap.ISO8859_4", ""},
	{charmap.ISO8859_5, "charmap.ISO8859_5", ""},
	{charmap.ISO8859_6, "charmap.ISO8859_6", ""},
	{charmap.ISO8859_6E, "charmap.ISO8859_6E", ""},
	{charmap.ISO8859_6I, "charmap.ISO8859_6I", ""},
	{charmap.ISO8859_7, "charmap.ISO8859_7", ""},
	{charmap.ISO8859_8, "charmap.ISO8859_8", ""},
	{charmap.ISO8859_8E, "charmap.ISO8859_8E", ""},
	{charmap.ISO8859_8I, "charmap.ISO8859_8I", ""},
	{charmap.ISO8859_9, "charmap.ISO8859_9", ""},
	{charmap.ISO8859_10, "charmap.ISO8859_10", ""},
	{charmap.ISO8859_13, "charmap.ISO8859_13", ""},
	{charmap.ISO8859_14, "charmap.ISO8859_14", ""},
	{charmap.ISO8859_15, "charmap.ISO8859_15", ""},
	{charmap.ISO8859_16, "charmap.ISO8859_16", ""},
	{charmap.KOI8R, "charmap.KOI8R", ""},
	{charmap.KOI8U, "charmap.KOI8U", ""},
	{charmap.Macintosh, "charmap.Macintosh", ""},
	{charmap.MacintoshCyrillic, "charmap.MacintoshCyrillic", ""},
	{charmap.Windows874, "charmap.Windows874", ""},
	{charmap.Windows1250, "charmap.Windows1250", ""},
	{charmap.Windows1251, "charmap.Windows1251", ""},
	{charmap.Windows1252, "charmap.Windows1252", ""},
	{charmap.Windows1253, "charmap.Windows1253", ""},
	{charmap.Windows1254, "charmap.Windows1254", ""},
	{charmap.Windows1255, "charmap.Windows1255", ""},
	{charmap.Windows1256, "charmap.Windows1256", ""},
	{charmap.Windows1257, "charmap.Windows1257", ""},
	{charmap.Windows1258, "charmap.Windows1258", ""},
	{charmap.XUserDefined, "charmap.XUserDefined", ""},
}

// codePages are Windows code page identifiers (what `chcp` shows) and a
// name of their encoding, which they mean as that name does; each is known
// as "cpN" and "N".
var codePages = map[int]string{
	37: "ibm037", 437: "ibm437", 850: "ibm850", 852: "ibm852", 855: "ibm855", 858: "ibm00858",
	860: "ibm860", 862: "ibm862", 863: "ibm863", 865: "ibm865", 866: "ibm866", 874: "windows-874",
	932: "shift_jis", 936: "gbk", 949: "euc-kr", 950: "big5", 1047: "ibm1047", 1140: "ibm01140",
	1200: "utf-16le", 1201: "utf-16be", 1250: "windows-1250", 1251: "windows-1251",
	1252: "windows-1252", 1253: "windows-1253", 1254: "windows-1254", 1255: "windows-1255",
	1256: "windows-1256", 1257: "windows-1257", 1258: "windows-1258", 10000: "macintosh",
	10007: "x-mac-cyrillic", 20866: "koi8-r", 21866: "koi8-u", 28591: "iso-8859-1",
	28592: "iso-8859-2", 28593: "iso-8859-3", 28594: "iso-8859-4", 28595: "iso-8859-5",
	28596: "iso-8859-6", 28597: "iso-8859-7", 28598: "iso-8859-8", 28599: "iso-8859-9",
	28603: "iso-8859-13", 28605: "iso-8859-15", 38598: "iso-8859-8-i", 50220: "iso-2022-jp",
	51932: "euc-jp", 52936: "hz-gb-2312", 54936: "gb18030", 65001: "utf-8",
}

// key is how names are compared: case and the separators - _ . : and
// space ignored, so utf16le, UTF-16LE and shift-jis match.
func key(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if !strings.ContainsRune("-_.: ", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func main() {
	out := flag.String("o", "table.go", "the file to write")
	flag.Parse()
	dir := textDir()
	byEnc := map[encoding.Encoding]*candidate{}
	for i := range candidates {
		byEnc[candidates[i].enc] = &candidates[i]
	}
	ids := map[string]int{} // candidate expression or name -> id
	canon := []string{}
	exprs := []string{}
	keys := map[string]int{} // key -> id
	from := map[string]string{}
	add := func(name, index string, enc encoding.Encoding, indexName string) {
		c := byEnc[enc]
		if c == nil {
			log.Fatalf("%s: %s: no candidate for %v: add it to gen.go", index, name, enc)
		}
		ident := c.expr
		if ident == "" {
			ident = "utf-8"
		}
		k := key(name)
		if prev, ok := keys[k]; ok {
			if exprs[prev] != c.expr && from[k] == index {
				log.Fatalf("%s: %q and another name compare equal but name %s and %v", index, name, canon[prev], enc)
			}
			return // an earlier index named it first
		}
		// One id per decoder: the name that the index read first gives it
		// (WHATWG's before IANA's) becomes canonical.
		id, ok := ids[ident]
		if !ok {
			cn := c.canonical
			if cn == "" {
				cn = strings.ToLower(indexName)
			}
			id = len(canon)
			ids[ident] = id
			canon = append(canon, cn)
			exprs = append(exprs, c.expr)
		}
		keys[k], from[k] = id, index
	}
	add("utf-8", "htmlindex", unicode.UTF8, "utf-8") // id 0
	// The WHATWG names first: what browsers do with a label is what
	// programs that print it expect.
	for _, name := range mapKeys(filepath.Join(dir, "encoding/htmlindex/tables.go"), "nameMap") {
		enc, err := htmlindex.Get(name)
		if err != nil || enc == encoding.Replacement {
			continue // the replacement encoding turns everything into one U+FFFD
		}
		n, err := htmlindex.Name(enc)
		if err != nil {
			log.Fatalf("htmlindex: %s: %v", name, err)
		}
		add(name, "htmlindex", enc, n)
	}
	for _, name := range mapKeys(filepath.Join(dir, "encoding/ianaindex/tables.go"), "ianaAliases") {
		enc, err := ianaindex.IANA.Encoding(name)
		if err != nil || enc == nil {
			continue // registered, but x/text cannot decode it
		}
		if _, ok := byEnc[enc]; !ok && fmt.Sprint(enc) == "US-ASCII" {
			continue // ianaindex's own ASCII, which no package exports
		}
		// The preferred MIME name (EUC-JP), where there is one, rather
		// than the registry's (Extended_UNIX_Code_Packed_Format_for_Japanese).
		n, err := ianaindex.MIME.Name(enc)
		if err != nil || n == "" {
			n, err = ianaindex.IANA.Name(enc)
		}
		if err != nil {
			log.Fatalf("ianaindex: %s: %v", name, err)
		}
		add(name, "ianaindex", enc, n)
	}
	for cp, name := range codePages {
		id, ok := keys[key(name)]
		if !ok {
			log.Fatalf("code page %d: %q is not a known name", cp, name)
		}
		for _, name := range []string{strconv.Itoa(cp), "cp" + strconv.Itoa(cp)} {
			if prev, ok := keys[key(name)]; ok && prev != id {
				log.Fatalf("code page %d: %s names %s already", cp, name, canon[prev])
			} else if !ok {
				keys[key(name)], from[key(name)] = id, "code page"
			}
		}
	}
	write(*out, keys, canon, exprs)
}

// textDir is where the golang.org/x/text module of this build lives.
func textDir() string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/text").Output()
	if err != nil {
		log.Fatalf("go list golang.org/x/text: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// mapKeys returns the string keys of the map literal assigned to variable
// name in file.
func mapKeys(file, name string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	var keys []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != name {
			return true
		}
		for _, e := range vs.Values[0].(*ast.CompositeLit).Elts {
			k, err := strconv.Unquote(e.(*ast.KeyValueExpr).Key.(*ast.BasicLit).Value)
			if err != nil {
				log.Fatal(err)
			}
			keys = append(keys, k)
		}
		return false
	})
	if len(keys) < 100 {
		log.Fatalf("%s: found %d keys of %s; has its layout changed?", file, len(keys), name)
	}
	return keys
}

func write(out string, keys map[string]int, canon, exprs []string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gen.go from golang.org/x/text's htmlindex and ianaindex; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package charset\n\nimport (\n")
	for _, p := range []string{"charmap", "japanese", "korean", "simplifiedchinese", "traditionalchinese", "unicode"} {
		fmt.Fprintf(&b, "\t%q\n", "golang.org/x/text/encoding/"+p)
	}
	fmt.Fprintf(&b, "\t\"golang.org/x/text/encoding\"\n)\n\n")
	fmt.Fprintf(&b, "// canonical holds each encoding's canonical name, by id; id 0 is UTF-8.\n")
	fmt.Fprintf(&b, "var canonical = [...]string{\n")
	for _, c := range canon {
		fmt.Fprintf(&b, "\t%q,\n", c)
	}
	fmt.Fprintf(&b, "}\n\n// byID returns the encoding of id; nil for UTF-8.\nfunc byID(id uint8) encoding.Encoding {\n\tswitch id {\n")
	for id, e := range exprs[1:] {
		fmt.Fprintf(&b, "\tcase %d:\n\t\treturn %s\n", id+1, e)
	}
	fmt.Fprintf(&b, "\t}\n\treturn nil\n}\n\n")
	sorted := slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	})
	fmt.Fprintf(&b, "// names maps every known name, compared as key() makes it, to its id; sorted.\n")
	fmt.Fprintf(&b, "var names = [...]entry{\n")
	for _, k := range sorted {
		fmt.Fprintf(&b, "\t{%q, %d},\n", k, keys[k])
	}
	fmt.Fprintf(&b, "}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("format: %v\n%s", err, b.Bytes())
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
