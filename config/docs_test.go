package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docKey is one key as docs/config.md lists it: the section heading it is
// under ("" for "Top level") and the key's last name.
type docKey struct{ section, name string }

// TestDocsListEveryKey keeps docs/config.md in step with the field table:
// every key the decoder accepts is a row of its section's table (a section
// of the top level has its own heading instead), and every row and heading
// is a key the decoder accepts.
func TestDocsListEveryKey(t *testing.T) {
	headings, rows := docsKeys(t)
	sections := map[string]bool{}
	for _, f := range fields(&raw{}) {
		if f.sub != nil || f.items != nil {
			sections[f.name] = true
		}
	}
	want := map[docKey]bool{}
	for _, k := range knownKeys() {
		parts := strings.Split(k, ".")
		first := strings.TrimSuffix(parts[0], "[]")
		switch {
		case len(parts) > 1:
			want[docKey{first, parts[len(parts)-1]}] = true
		case !sections[first]:
			want[docKey{"", first}] = true
		}
	}
	for k := range want {
		if !rows[k] {
			t.Errorf("docs/config.md: the table of %q does not list %q", k.section, k.name)
		}
	}
	for k := range rows {
		if !want[k] {
			t.Errorf("docs/config.md: the table of %q lists %q, which the decoder does not accept there", k.section, k.name)
		}
	}
	for s := range sections {
		if !headings[s] {
			t.Errorf("docs/config.md: no ### `%s` heading", s)
		}
	}
	for h := range headings {
		if h != "" && !sections[h] {
			t.Errorf("docs/config.md: heading ### `%s` is not a section of the configuration", h)
		}
	}
}

var (
	docHeading = regexp.MustCompile("^### (?:Top level|`([a-z_]+)`)$")
	docRow     = regexp.MustCompile("^\\| `([a-z_]+)` \\|")
)

// docsKeys reads the "## Keys" part of docs/config.md: its ### headings
// (the top level is "") and the keys in the first column of their tables.
func docsKeys(t *testing.T) (headings map[string]bool, rows map[docKey]bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	_, keys, ok := strings.Cut(text, "\n## Keys\n")
	if !ok {
		t.Fatal(`docs/config.md has no "## Keys" section`)
	}
	keys, _, _ = strings.Cut(keys, "\n## ")
	headings, rows = map[string]bool{}, map[docKey]bool{}
	section := "?"
	for line := range strings.SplitSeq(keys, "\n") {
		if strings.HasPrefix(line, "### ") {
			m := docHeading.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("docs/config.md: unexpected heading %q under ## Keys", line)
			}
			section = m[1]
			headings[section] = true
		} else if m := docRow.FindStringSubmatch(line); m != nil {
			if section == "?" {
				t.Fatalf("docs/config.md: table row %q before the first ### heading", line)
			}
			rows[docKey{section, m[1]}] = true
		}
	}
	if len(rows) < len(knownKeys())/2 {
		t.Fatalf("docs/config.md: only %d keys found under ## Keys; has the format changed?", len(rows))
	}
	return headings, rows
}
