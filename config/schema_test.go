package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// schemaNode is the part of a JSON Schema the consistency test reads.
type schemaNode struct {
	Properties           map[string]*schemaNode `json:"properties"`
	AdditionalProperties any                    `json:"additionalProperties"`
	Enum                 []string               `json:"enum"`
	Pattern              string                 `json:"pattern"`
	AnyOf                []*schemaNode          `json:"anyOf"`
	Items                *schemaNode            `json:"items"`
	Definitions          map[string]*schemaNode `json:"definitions"`
}

// TestSchemaMatchesDecoder keeps schema/wrapper.schema.json in step with
// the decoder: the same keys, closed objects, the same enumerations, and
// patterns that agree with the Go parsers on typical values.
func TestSchemaMatchesDecoder(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "schema", "wrapper.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var root schemaNode
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(prefix string, n *schemaNode)
	walk = func(prefix string, n *schemaNode) {
		if n.AdditionalProperties != false {
			t.Errorf("schema object %q does not set additionalProperties: false", prefix)
		}
		for name, p := range n.Properties {
			key := joinKey(prefix, name)
			keys = append(keys, key)
			if p.Properties != nil {
				walk(key, p)
			}
			if p.Items != nil && p.Items.Properties != nil {
				walk(key+"[]", p.Items) // wait_for items
			}
		}
	}
	walk("", &root)
	slices.Sort(keys)
	want := slices.Sorted(slices.Values(knownKeys()))
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("schema keys\n%q\nwant\n%q", keys, want)
	}
	if got := root.Properties["restart"].Properties["policy"].Enum; !slices.Equal(got, policies) {
		t.Errorf("policy enum %q, want %q", got, policies)
	}
	if got := root.Properties["service"].Properties["start_mode"].Enum; !slices.Equal(got, startModes) {
		t.Errorf("start_mode enum %q, want %q", got, startModes)
	}
	checkPattern(t, "name", root.Properties["name"].Pattern,
		[]string{"svc", "9lives", "a.b_c-d", strings.Repeat("x", 80)}, []string{"", "-svc", ".svc", "a b", "ä", strings.Repeat("x", 81)},
		validName)
	checkPattern(t, "duration", root.Definitions["duration"].AnyOf[0].Pattern,
		[]string{"0", "0s", "500ms", "1.5d", "1h30m", "2µs"}, []string{"5", "-5s", "soon", "1w", "5 s"},
		func(s string) bool { _, err := parseDuration(s); return err == nil })
	checkPattern(t, "size", root.Definitions["size"].AnyOf[1].Pattern,
		[]string{"2048", "10MB", "512 KiB", "1gb", "4096B"}, []string{"1.5MB", "10XB", "-1", "10K"},
		func(s string) bool { _, err := parseSize(s); return err == nil })
	checkPattern(t, "signal", root.Properties["stop"].Properties["signal"].Pattern,
		[]string{"TERM", "sigint", "Usr1", "SIGHUP"}, []string{"KILL", "SIGKILL", "9", ""},
		func(s string) bool { return slices.Contains(signals, normSignal(s)) })
}

// checkPattern asserts that a schema pattern and the Go parser accept and
// reject the same samples.
func checkPattern(t *testing.T, what, pattern string, good, bad []string, parses func(string) bool) {
	t.Helper()
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Fatalf("%s pattern: %v", what, err)
	}
	for _, s := range good {
		if !re.MatchString(s) || !parses(s) {
			t.Errorf("%s %q: pattern %v, parser %v; want both to accept", what, s, re.MatchString(s), parses(s))
		}
	}
	for _, s := range bad {
		if re.MatchString(s) || parses(s) {
			t.Errorf("%s %q: pattern %v, parser %v; want both to reject", what, s, re.MatchString(s), parses(s))
		}
	}
}
