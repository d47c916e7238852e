package config

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeFunc decodes the value n of the dotted key into the raw config,
// reporting problems on d.
type decodeFunc func(d *decoder, key string, n *yaml.Node)

// decoder walks the YAML node tree itself rather than unmarshalling into
// structs: yaml's KnownFields is lost inside custom unmarshalers, and only a
// walk can report every problem at once with its line and dotted key.
type decoder struct {
	ps   *problems
	fold bool // environment names are case-insensitive (Windows)
}

// parseYAML returns the root node of the single YAML document in data, or
// nil after reporting why there is none.
func parseYAML(data []byte, ps *problems) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			ps.add(0, "", "the file is empty (at least `executable` is required)")
		} else {
			syntaxProblem(ps, data, err)
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		ps.add(extra.Line, "", "a second YAML document is not allowed (remove the extra `---`)")
	case !errors.Is(err, io.EOF):
		syntaxProblem(ps, data, err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		ps.add(0, "", "the file is empty (at least `executable` is required)")
		return nil
	}
	return doc.Content[0]
}

// root decodes the top-level mapping into r; false means there is nothing
// worth resolving.
func (d *decoder) root(n *yaml.Node, r *raw) bool {
	if deref(n).Kind != yaml.MappingNode {
		d.ps.add(n.Line, "", "expected a mapping of keys at the top level, got %s", describe(deref(n)))
		return false
	}
	d.mapping("", n, fields(r))
	return true
}

// mapping decodes a mapping whose valid keys are fs.
func (d *decoder) mapping(key string, n *yaml.Node, fs []field) {
	m := deref(n)
	if isNull(m) {
		return
	}
	if m.Kind != yaml.MappingNode {
		d.ps.add(m.Line, key, "expected a mapping, got %s", describe(m))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		name, ok := d.keyName(key, k)
		if !ok {
			continue
		}
		path := joinKey(key, name)
		if first, dup := seen[name]; dup {
			d.ps.add(k.Line, path, "duplicate key (first defined at line %d)", first)
			continue
		}
		seen[name] = k.Line
		j := slices.IndexFunc(fs, func(f field) bool { return f.name == name })
		if j >= 0 && fs[j].line != nil {
			*fs[j].line = k.Line
		}
		switch {
		case j < 0:
			d.unknown(k.Line, path, name, fs)
		case fs[j].sub != nil:
			if fs[j].present != nil && !isNull(deref(v)) {
				*fs[j].present = true
			}
			d.mapping(path, v, fs[j].sub)
		default:
			fs[j].decode(d, path, v)
		}
	}
}

// keyName returns the text of a mapping key, reporting keys that are not
// plain scalars.
func (d *decoder) keyName(parent string, k *yaml.Node) (string, bool) {
	kd := deref(k)
	switch {
	case kd.Kind == yaml.ScalarNode && kd.ShortTag() == "!!merge":
		d.ps.add(k.Line, joinKey(parent, kd.Value), "merge keys are not supported (write the keys out)")
	case kd.Kind != yaml.ScalarNode || isNull(kd):
		d.ps.add(k.Line, parent, "a key must be a plain string, got %s", describe(kd))
	default:
		return kd.Value, true
	}
	return "", false
}

// unknown reports an unknown key with the closest valid key, if any.
func (d *decoder) unknown(line int, path, name string, fs []field) {
	if name != "password_env" && strings.Contains(strings.ToLower(name), "password") {
		d.ps.add(line, path, "unknown key (passwords are never stored in the YAML: put it in an environment variable and name that variable in service.password_env)")
		return
	}
	if path == "registry.consul.token" {
		d.ps.add(line, path, "unknown key (tokens are never stored in the YAML: put it in an environment variable and name that variable in registry.consul.token_env)")
		return
	}
	if name != "token_env" && name != "token_file" && strings.Contains(strings.ToLower(name), "token") {
		d.ps.add(line, path, "unknown key (tokens are never stored in the YAML: put it in an environment variable or a file and name it in http.token_env or http.token_file)")
		return
	}
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	d.ps.add(line, path, "unknown key%s", suggest(name, names, knownKeys()))
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// deref follows an alias to the anchored node, returning a shallow copy
// that carries the alias's line so that problems point at the use site.
// Aliases cannot make the walk loop or blow up: it only descends as deep as
// the schema does.
func deref(n *yaml.Node) *yaml.Node {
	if n == nil || n.Kind != yaml.AliasNode || n.Alias == nil {
		return n
	}
	c := *n.Alias
	c.Line = n.Line
	if c.Kind == yaml.AliasNode { // not produced by yaml.v3; never recurse on it
		c = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line}
	}
	return &c
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names the type of a node for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		switch tag := n.ShortTag(); tag {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "null"
		case "!!timestamp":
			return "a date"
		default:
			return "a value tagged " + tag
		}
	}
	return "an unsupported YAML node"
}
