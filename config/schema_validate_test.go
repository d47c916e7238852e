package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// schemaCannotExpress lists the invalid golden configs that the schema
// accepts, each with the reason it cannot reject them. The schema sees one
// JSON value: it cannot look at files, at other variables, or compare two
// values. TestSchemaRejectsInvalidGolden fails when a file here is rejected
// after all (remove it) or missing (rename it), and when an invalid golden
// that is not here is accepted (make the schema reject it, or add it here
// with the reason).
var schemaCannotExpress = map[string]string{
	// The file system.
	"env-file-missing":          "the env_file must exist",
	"stdin-file-missing":        "stdin's file must exist",
	"executable-directory":      "the executable must be a program",
	"executable-not-found":      "the executable must exist",
	"executable-not-on-path":    "a bare executable is looked up on PATH",
	"working-directory-file":    "the working directory must be a directory",
	"working-directory-missing": "the working directory must exist",
	"log-dir-holds-config":      "log.dir must not hold the YAML file, wherever that lies",
	"log-dir-holds-executable":  "log.dir must not hold the executable, wherever that lies",
	"log-dir-root":              "log.dir must not be a file system root (/, C:\\, after resolution against BASE)",
	// Expansion of ${VAR}: which variables are defined.
	"undefined-variable": "undefined ${VAR}",
	// Comparisons between two values.
	"exit-codes-overlap":    "success_exit_codes and fatal_exit_codes disjoint",
	"log-wrapper-collision": "log.wrapper differs from stdout and stderr after resolution",
	"max-delay-below-delay": "max_delay at least delay",
	"on-exit-conflict":      "restart.on_exit actions consistent with the exit code lists",
	"user-unit-conflict":    "user the same as service.user unless that is root",
	// Values whose rule a JSON Schema pattern cannot state.
	"recovery-too-long":      "a duration's length (at most 2^32-1 ms)",
	"log-rotate-every-short": "a duration's length (at least 1s)",
	"log-rotate-every-days":  "a duration's length (whole days above 24h)",
	"log-encoding-unknown":   "encoding names: hundreds, compared without case or separators",
	"log-encoding-typo":      "encoding names: hundreds, compared without case or separators",
}

// schemaValidator compiles schema/wrapper.schema.json with a real JSON
// Schema validator, which also checks it against its meta-schema.
func schemaValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join("..", "schema", "wrapper.schema.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("wrapper.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("wrapper.schema.json")
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// TestSchemaAcceptsValid: every example and every valid golden config is
// valid against the schema, as an editor would check it.
func TestSchemaAcceptsValid(t *testing.T) {
	s := schemaValidator(t)
	examples, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil || len(examples) < 2 {
		t.Fatalf("examples: %v, %v", examples, err)
	}
	for _, file := range append(examples, goldenFiles(t, "valid", 10)...) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			v, err := yamlToJSON(readFile(t, file))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(v); err != nil {
				t.Errorf("the schema rejects it:\n%v", err)
			}
		})
	}
}

// TestSchemaRejectsInvalidGolden: every invalid golden config is rejected,
// either before the schema (not one JSON document: YAML syntax, duplicate
// keys) or by it, except those in schemaCannotExpress.
func TestSchemaRejectsInvalidGolden(t *testing.T) {
	s := schemaValidator(t)
	seen := map[string]bool{}
	for _, file := range goldenFiles(t, "invalid", 30) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			reason, listed := schemaCannotExpress[name]
			v, err := yamlToJSON(readFile(t, file))
			if err != nil {
				t.Logf("not one JSON document: %v", err)
			} else {
				err = s.Validate(v)
			}
			switch {
			case err == nil && !listed:
				t.Errorf("the schema accepts it: make the schema reject it, or add it to schemaCannotExpress with the reason")
			case err != nil && listed:
				t.Errorf("listed in schemaCannotExpress (%s), but rejected:\n%v", reason, err)
			}
		})
	}
	for name := range schemaCannotExpress {
		if !seen[name] {
			t.Errorf("schemaCannotExpress names %s, which is not in testdata/config/invalid", name)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// yamlToJSON turns a YAML file into the JSON value a schema validator
// checks, as editors do: one document, string keys, no duplicates, the
// core schema's types. A file that has no such form is an error.
func yamlToJSON(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, nil // an empty file is null
	case err != nil:
		return nil, err
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, fmt.Errorf("line %d: a second document", extra.Line)
	case !errors.Is(err, io.EOF):
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return nodeToJSON(doc.Content[0], 0)
}

func nodeToJSON(n *yaml.Node, depth int) (any, error) {
	if depth > 100 {
		return nil, errors.New("nested too deeply")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nodeToJSON(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := nodeToJSON(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key that is not a string has no JSON form", k.Line)
			}
			if _, dup := out[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			v, err := nodeToJSON(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	case yaml.ScalarNode:
		return scalarToJSON(n)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func scalarToJSON(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!str", "!!timestamp":
		return n.Value, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var u uint64
		err := n.Decode(&u)
		return u, err
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("line %d: %s has no JSON form", n.Line, n.Value)
		}
		return f, nil
	}
	return nil, fmt.Errorf("line %d: the tag %s has no JSON form", n.Line, n.ShortTag())
}

// TestSchemaNullMeansDefault: a key written without a value takes its
// default, so the schema must accept null wherever the loader does: for
// every key but executable, alone in a config that is otherwise minimal.
func TestSchemaNullMeansDefault(t *testing.T) {
	s := schemaValidator(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeExe(t, filepath.Join(dir, "bin", "app.exe"))
	for _, key := range knownKeys() {
		t.Run(key, func(t *testing.T) {
			doc := map[string]any{"executable": "bin/app.exe"}
			setNull(doc, key)
			data, err := yaml.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			_, loadErr := Parse(filepath.Join(dir, "svc.yaml"), data, testOptions())
			v, err := yamlToJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			schemaErr := s.Validate(v)
			if key == "executable" {
				if loadErr == nil || schemaErr == nil {
					t.Errorf("executable: ~ accepted: loader %v, schema %v", loadErr, schemaErr)
				}
				return
			}
			if loadErr != nil || schemaErr != nil {
				t.Errorf("%s:\nloader: %v\nschema: %v", data, loadErr, schemaErr)
			}
		})
	}
}

// setNull writes the dotted key (wait_for[].tcp: a one-item list) into doc
// as null. An item of wait_for also gets another condition, as it needs
// one.
func setNull(doc map[string]any, key string) {
	parts := strings.Split(key, ".")
	m := doc
	for _, p := range parts[:len(parts)-1] {
		if name, ok := strings.CutSuffix(p, "[]"); ok {
			item := map[string]any{"file": "ready.flag"}
			if parts[len(parts)-1] == "file" {
				item = map[string]any{"tcp": "db:5432"}
			}
			m[name] = []any{item}
			m = item
			continue
		}
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = nil
}
