// Package charset names the character encodings a child's output may be
// written in and decodes them to UTF-8, with golang.org/x/text.
//
// It knows every name golang.org/x/text/encoding/htmlindex (the WHATWG
// labels browsers use) or ianaindex (the IANA registry) knows for an
// encoding x/text can decode, and the Windows code page numbers as "N" and
// "cpN" (936, cp936). Where the two indexes disagree the WHATWG meaning
// wins: latin1 and ascii are windows-1252, utf-16 is utf-16le. Names are
// compared without case and without the separators - _ . : and space.
//
// The table is generated (gen.go) into a sorted array, not the indexes'
// maps, which are built in package init: linking this package costs a
// wrapper that decodes nothing no start-up time (docs/performance.md).
package charset

//go:generate go run gen.go

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/transform"
)

// UTF8 is the canonical name of UTF-8, the default: output in it is not
// decoded at all.
const UTF8 = "utf-8"

// entry is one known name, as key makes it, and its encoding's id.
type entry struct {
	key string
	id  uint8
}

// key folds name for comparison: lower case, without - _ . : and space.
func key(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if !strings.ContainsRune("-_.: ", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lookup(name string) (uint8, bool) {
	k := key(name)
	i := sort.Search(len(names), func(i int) bool { return names[i].key >= k })
	if i < len(names) && names[i].key == k {
		return names[i].id, true
	}
	return 0, false
}

// Canonical returns the canonical name of the encoding called name
// ("utf-8", "gbk", "shift_jis", "windows-1252", "ibm437", …) and whether
// name is known. "" is UTF-8.
func Canonical(name string) (string, bool) {
	if strings.TrimSpace(name) == "" {
		return UTF8, true
	}
	id, ok := lookup(name)
	if !ok {
		return "", false
	}
	return canonical[id], true
}

// NewDecoder returns a new decoder from the encoding called name to UTF-8,
// or nil for UTF-8 itself (and ""), which needs none. A decoder keeps state
// between calls (a character cut between two reads, a UTF-16 byte order
// mark); use one per stream. It writes U+FFFD for bytes that are not valid
// in the encoding. UTF-16 decoders drop a leading byte order mark.
func NewDecoder(name string) (transform.Transformer, error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil
	}
	id, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown encoding %q", name)
	}
	enc := byID(id)
	if enc == nil {
		return nil, nil
	}
	return enc.NewDecoder(), nil
}

// Names returns the canonical names, sorted: what a message suggests.
func Names() []string {
	out := make([]string, len(canonical))
	copy(out, canonical[:])
	sort.Strings(out)
	return out
}
