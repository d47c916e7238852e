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
	"unicode"

	"go.yaml.in/yaml/v3"
)

// schemaNode is the part of a JSON Schema the consistency test reads.
type schemaNode struct {
	Properties           map[string]*schemaNode `json:"properties"`
	AdditionalProperties any                    `json:"additionalProperties"`
	Enum                 []string               `json:"enum"`
	Pattern              string                 `json:"pattern"`
	AnyOf                []*schemaNode          `json:"anyOf"`
	AllOf                []*schemaNode          `json:"allOf"`
	Not                  *schemaNode            `json:"not"`
	Items                *schemaNode            `json:"items"`
	Definitions          map[string]*schemaNode `json:"definitions"`
	PropertyNames        *schemaNode            `json:"propertyNames"`
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
	if got := root.Properties["restart"].Properties["policy"].AnyOf[0].Enum; !slices.Equal(got, policies) {
		t.Errorf("policy enum %q, want %q", got, policies)
	}
	if got := root.Properties["service"].Properties["start_mode"].AnyOf[0].Enum; !slices.Equal(got, startModes) {
		t.Errorf("start_mode enum %q, want %q", got, startModes)
	}
	if got := root.Properties["service"].Properties["sid_type"].AnyOf[0].Enum; !slices.Equal(got, sidTypes) {
		t.Errorf("sid_type enum %q, want %q", got, sidTypes)
	}
	if got := root.Properties["service"].Properties["privileges"].Items.AnyOf[0].Enum; !slices.Equal(got, windowsPrivileges) {
		t.Errorf("privileges enum %q, want %q", got, windowsPrivileges)
	}
	checkSchemaPatterns(t, &root)
}

// checkSchemaPatterns compares each pattern of the schema with the Go code
// that decides the same question.
func checkSchemaPatterns(t *testing.T, root *schemaNode) {
	defs, service := root.Definitions, root.Properties["service"].Properties
	checkPattern(t, "name", root.Properties["name"].Pattern,
		[]string{"svc", "9lives", "a.b_c-d", strings.Repeat("x", 80)}, []string{"", "-svc", ".svc", "a b", "ä", strings.Repeat("x", 81)},
		validName)
	checkPattern(t, "duration", defs["duration"].AnyOf[0].Pattern,
		[]string{"0", "0s", "500ms", "1.5d", "1h30m", "2µs"}, []string{"5", "-5s", "soon", "1w", "5 s"},
		func(s string) bool { _, err := parseDuration(s); return err == nil })
	checkPattern(t, "zero duration", defs["positiveDuration"].AllOf[1].Not.AnyOf[1].Pattern,
		[]string{"0", "0s", "+0ms", "0.0h", "0h0m", ".0s", "00d"}, []string{"1s", "0.1s", "0h1m", "10s", "soon", ""},
		func(s string) bool { d, err := parseDuration(s); return err == nil && d == 0 })
	checkPattern(t, "size", defs["size"].AnyOf[1].Pattern,
		[]string{"2048", "10MB", "512 KiB", "1gb", "4096B"}, []string{"1.5MB", "10XB", "-1", "10K"},
		func(s string) bool { _, err := parseSize(s); return err == nil })
	checkPattern(t, "signal", root.Properties["stop"].Properties["signal"].Pattern,
		[]string{"TERM", "sigint", "Usr1", "SIGHUP"}, []string{"KILL", "SIGKILL", "9", ""},
		func(s string) bool { return slices.Contains(signals, normSignal(s)) })
	x := newExpander("/base", "svc", false, func(string) (string, bool) { return "", true })
	checkPattern(t, "expanded", defs["expanded"].Pattern,
		[]string{"", "plain", "${BASE}/x", "$${A}", "$$HOME", "cost: $5", "a$", "100%", "%PATH%", "${A}${B_2}"},
		[]string{"$HOME", "${BASE", "${A-B}", "${}", "$$$X", "a\x00b", "${1A}", "$_x"},
		func(s string) bool { _, err := x.expand(s); return err == nil && !strings.ContainsRune(s, 0) })
	for _, name := range []string{"path", "target"} {
		if defs[name].Pattern != defs["expanded"].Pattern {
			t.Errorf("the pattern of %s differs from that of expanded", name)
		}
	}
	checkPattern(t, "text", defs["text"].Pattern, []string{"", "a b", "tab\there"}, []string{"a\x00b"},
		func(s string) bool { return !strings.ContainsRune(s, 0) })
	checkPattern(t, "line", defs["line"].Pattern, []string{"", "My App", "ünï"}, []string{"My\nApp", "tab\there", "\u0085"},
		func(s string) bool { return !strings.ContainsFunc(s, unicode.IsControl) })
	checkPattern(t, "affinity", root.Properties["affinity"].AnyOf[0].Pattern,
		[]string{"0", "0-3,8", " 8, 0 - 1 ", "007", "1023", "0x0f", "0XA", "0x8" + strings.Repeat("0", 255), "1000-1023"},
		[]string{"", "1024", "0-1024", "3,", "0x", "0x0", "0x1" + strings.Repeat("0", 256), "a", "1.5", "-1", "0,,1"},
		func(s string) bool { _, err := parseCPUs(s); return err == nil })
	if got := root.Properties["priority"].AnyOf[0].Enum; !slices.Equal(got, priorities) {
		t.Errorf("priority enum %q, want %q", got, priorities)
	}
	for _, key := range []string{"user", "group"} {
		if root.Properties[key].Pattern != service[key].Pattern {
			t.Errorf("the pattern of %s differs from that of service.%s", key, key)
		}
		checkPattern(t, key, service[key].Pattern, []string{"", "svc", `DOMAIN\svc`, "ünï"}, []string{"my user", "g\x01", "a\tb"},
			func(s string) bool {
				return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
			})
	}
	checkPattern(t, "password_env", service["password_env"].Pattern, []string{"", "APP_PASSWORD", "ProgramFiles(x86)"}, []string{"APP PASSWORD", "A=B"},
		func(s string) bool { return s == "" || checkEnvName(s) == nil })
	checkPattern(t, "umask", service["sandbox"].Properties["umask"].Pattern, []string{"027", "0027", "0777", "000"},
		[]string{"", "27", "0999", "10027", "00027", "0o27", "u=rwx"}, umaskRule.MatchString)
	consul := root.Properties["registry"].Properties["consul"].Properties
	checkPattern(t, "token_env", consul["token_env"].Pattern, []string{"", "CONSUL_TOKEN", "ProgramFiles(x86)"}, []string{"CONSUL TOKEN", "A=B"},
		func(s string) bool { return s == "" || checkEnvName(s) == nil })
	checkPattern(t, "meta key", consul["meta"].PropertyNames.Pattern, []string{"team", "wrapper_http", "a-b", strings.Repeat("k", 128)},
		[]string{"", "a b", "ä", "a.b", strings.Repeat("k", 129)}, validMetaKey)
	restart := root.Properties["restart"].Properties
	checkPattern(t, "time of day", restart["at"].Items.Pattern, []string{"03:00", "3:00", "00:00", "23:59", "19:05"},
		[]string{"", "24:00", "12:60", "3pm", "03:00:00", "3:0", " 03:00"}, timeOfDayRule.MatchString)
	checkPattern(t, "exit code key", restart["on_exit"].PropertyNames.Pattern,
		[]string{"0", "75", "4294967295", "0xC0000005", "0o17"}, []string{"", "-1", "abc", "1.5", "0x", "1e3"},
		func(s string) bool {
			var n yaml.Node
			if yaml.Unmarshal([]byte(s), &n) != nil || len(n.Content) != 1 {
				return false
			}
			var v int64
			k := n.Content[0]
			return k.ShortTag() == "!!int" && k.Decode(&v) == nil && v >= 0 && v <= maxExitCode
		})
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
