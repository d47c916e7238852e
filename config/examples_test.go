package config

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The examples name a program (bin/myapp) and an env_file (myapp.env) that a
// real installation would have beside the YAML. examples/ holds only YAML,
// so the test copies each example into a temporary directory, creates those
// two files there, and requires the example to load without any problem.
func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"minimal.yaml", "complete.yaml"} {
		if !slices.ContainsFunc(files, func(f string) bool { return filepath.Base(f) == want }) {
			t.Errorf("examples/%s is missing", want)
		}
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			dir := exampleDir(t)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, filepath.Base(file))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, Options{DefaultName: "myapp", LookupEnv: mapEnv(nil)})
			if err != nil {
				t.Fatalf("example does not load:\n%v", err)
			}
			if c.Executable != filepath.Join(dir, "bin", exampleExe()) {
				t.Errorf("Executable = %q, want the program created in bin", c.Executable)
			}
		})
	}
}

// TestExamplesNameSchema: every example starts with the yaml-language-server
// modeline, so that editors complete and check it, and its relative path
// leads to schema/wrapper.schema.json. TestExamplesLoad proves the loader
// takes the line as the comment it is.
func TestExamplesNameSchema(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	schema, err := os.Stat(filepath.Join("..", "schema", "wrapper.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "# yaml-language-server: $schema="
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		rel, ok := strings.CutPrefix(strings.TrimSuffix(first, "\r"), prefix)
		if !ok {
			t.Errorf("%s: the first line is %q, want %s<relative path of the schema>", filepath.Base(file), first, prefix)
			continue
		}
		if fi, err := os.Stat(filepath.Join(filepath.Dir(file), filepath.FromSlash(rel))); err != nil || !os.SameFile(fi, schema) {
			t.Errorf("%s: %s does not lead to schema/wrapper.schema.json (%v)", filepath.Base(file), rel, err)
		}
	}
}

// exampleDir creates the files the examples refer to.
func exampleDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeExe(t, filepath.Join(dir, "bin", exampleExe()))
	if err := os.WriteFile(filepath.Join(dir, "myapp.env"), []byte("MYAPP_MODE=production\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func exampleExe() string {
	if runtime.GOOS == "windows" {
		return "myapp.exe"
	}
	return "myapp"
}

// writeExe creates a file that exec.LookPath accepts as a program.
func writeExe(t testing.TB, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestCompleteExampleDocumentsEveryKey keeps examples/complete.yaml in step
// with the schema: every known key appears, each with a comment.
func TestCompleteExampleDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "examples", "complete.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	var walk func(prefix string, n *yaml.Node)
	walk = func(prefix string, n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := joinKey(prefix, k.Value)
			found[key] = true
			switch {
			case v.Kind == yaml.MappingNode && key != "env" && key != "registry.consul.meta":
				walk(key, v)
			case v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Content[0].Kind == yaml.MappingNode:
				for _, item := range v.Content { // wait_for
					// yaml gives a comment above "- tcp: ..." to the item,
					// not to its first key.
					if len(item.Content) > 0 && item.Content[0].HeadComment == "" {
						item.Content[0].HeadComment = item.HeadComment
					}
					walk(key+"[]", item)
				}
			case strings.TrimSpace(k.HeadComment+k.LineComment) == "":
				t.Errorf("complete.yaml: %s has no comment", key)
			}
		}
	}
	walk("", doc.Content[0])
	for _, k := range knownKeys() {
		if !found[k] {
			t.Errorf("complete.yaml does not show %s", k)
		}
	}
}

// TestReadmeConfigLoads: the YAML reference block of README.md, the first
// one a newcomer reads, is a configuration that loads.
func TestReadmeConfigLoads(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "\n```yaml\n")
	block, _, closed := strings.Cut(rest, "\n```")
	if !ok || !closed {
		t.Fatal("README.md has no ```yaml block")
	}
	dir := exampleDir(t)
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("A=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prepare := "prepare" // the hook the block names
	if runtime.GOOS == "windows" {
		prepare += ".exe"
	}
	writeExe(t, filepath.Join(dir, "bin", prepare))
	path := filepath.Join(dir, "myapp.yaml")
	if err := os.WriteFile(path, []byte(block+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, Options{DefaultName: "myapp", LookupEnv: mapEnv(nil)}); err != nil {
		t.Fatalf("README.md's YAML block does not load:\n%v", err)
	}
}
