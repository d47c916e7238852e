// Package archtest holds the test that keeps the module's layout honest:
// which package may import which, where platform code lives, and how
// build-constrained files are named (docs/architecture.md).
package archtest

import (
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/wrapper-dev/wrapper"

// goFile is one Go file of the module, with what the rules look at.
type goFile struct {
	path       string // slash-separated, relative to the module root
	imports    []string
	constraint string // the //go:build expression, "" when none
}

// moduleFiles parses the imports and build constraint of every Go file of
// the module (bench tools included), skipping hidden folders and testdata.
func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	root := filepath.Join("..", "..")
	var files []goFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "out") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		g := goFile{path: filepath.ToSlash(rel)}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			g.imports = append(g.imports, path)
		}
		for _, c := range f.Comments {
			if c.Pos() > f.Package {
				break
			}
			for _, l := range c.List {
				if constraint.IsGoBuild(l.Text) {
					g.constraint = strings.TrimSpace(strings.TrimPrefix(l.Text, "//go:build"))
				}
			}
		}
		files = append(files, g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("found %d Go files; the walk missed the module", len(files))
	}
	return files
}

// dir is the package folder of a file.
func (g goFile) dir() string { return filepath.ToSlash(filepath.Dir(filepath.FromSlash(g.path))) }

// under reports whether the file lies in folder dir or below it.
func (g goFile) under(dir string) bool { return g.dir() == dir || strings.HasPrefix(g.dir(), dir+"/") }

// leafHelpers are the internal packages every layer may use: they import
// nothing of the module.
var leafHelpers = map[string]bool{"fakechild": true, "safefs": true, "charset": true, "starttrace": true, "winpriv": true}

// TestImportRules: the dependency direction of docs/architecture.md.
func TestImportRules(t *testing.T) {
	rules := []struct {
		name    string
		applies func(goFile) bool
		denied  func(imp string) bool
	}{
		{"supervisor and logrotate know nothing of YAML",
			func(g goFile) bool { return g.under("supervisor") || g.under("logrotate") },
			func(imp string) bool { return imp == module+"/config" || imp == module+"/wrapper" }},
		{"internal packages import neither wrapper nor config",
			func(g goFile) bool { return g.under("internal") },
			func(imp string) bool { return imp == module+"/config" || imp == module+"/wrapper" }},
		{"yaml only in config",
			func(g goFile) bool { return !g.under("config") },
			func(imp string) bool {
				return strings.HasPrefix(imp, "go.yaml.in/yaml") || strings.HasPrefix(imp, "gopkg.in/yaml")
			}},
		{"Prometheus libraries only in internal/metrics tests (the binary writes the format itself)",
			func(g goFile) bool { return !(g.under("internal/metrics") && strings.HasSuffix(g.path, "_test.go")) },
			func(imp string) bool { return strings.HasPrefix(imp, "github.com/prometheus/") }},
		{"the Consul client only in internal/registry",
			func(g goFile) bool { return !g.under("internal/registry") },
			func(imp string) bool { return strings.HasPrefix(imp, "github.com/hashicorp/consul/") }},
		{"klauspost/compress only in logrotate (and tests)",
			func(g goFile) bool { return !strings.HasSuffix(g.path, "_test.go") && !g.under("logrotate") },
			func(imp string) bool { return strings.HasPrefix(imp, "github.com/klauspost/compress") }},
		{"klauspost's zstd, whose package initialisation runs at every start, only in tests",
			func(g goFile) bool { return !strings.HasSuffix(g.path, "_test.go") },
			func(imp string) bool { return strings.HasPrefix(imp, "github.com/klauspost/compress/zstd") }},
		{"x/sys/windows only in _windows.go files",
			func(g goFile) bool {
				return !strings.HasSuffix(g.path, "_windows.go") && !strings.HasSuffix(g.path, "_windows_test.go")
			},
			func(imp string) bool { return strings.HasPrefix(imp, "golang.org/x/sys/windows") }},
		{"config, supervisor and logrotate import no internal package but the leaf helpers",
			func(g goFile) bool { return g.under("config") || g.under("supervisor") || g.under("logrotate") },
			func(imp string) bool {
				return strings.HasPrefix(imp, module+"/internal/") && !leafHelpers[strings.TrimPrefix(imp, module+"/internal/")]
			}},
		{"the leaf helpers import nothing of the module",
			func(g goFile) bool {
				return g.under("internal") && leafHelpers[strings.Split(strings.TrimPrefix(g.dir(), "internal/"), "/")[0]]
			},
			func(imp string) bool { return strings.HasPrefix(imp, module+"/") }},
		{"golang.org/x/text only in internal/charset and logrotate (and tests)",
			func(g goFile) bool {
				return !strings.HasSuffix(g.path, "_test.go") && !g.under("internal/charset") && !g.under("logrotate")
			},
			func(imp string) bool { return strings.HasPrefix(imp, "golang.org/x/text/") }},
		{"x/text's indexes and language, which build tables at start-up, only in tests and charset's generator",
			func(g goFile) bool { return !strings.HasSuffix(g.path, "_test.go") && g.constraint != "ignore" },
			func(imp string) bool {
				return strings.HasPrefix(imp, "golang.org/x/text/encoding/htmlindex") ||
					strings.HasPrefix(imp, "golang.org/x/text/encoding/ianaindex") ||
					strings.HasPrefix(imp, "golang.org/x/text/language")
			}},
		{"cmd/wrapper is tiny: it imports the wrapper package only",
			func(g goFile) bool { return g.under("cmd") },
			func(imp string) bool { return strings.HasPrefix(imp, module+"/") && imp != module+"/wrapper" }},
	}
	for _, g := range moduleFiles(t) {
		for _, r := range rules {
			if !r.applies(g) {
				continue
			}
			for _, imp := range g.imports {
				if r.denied(imp) {
					t.Errorf("%s imports %s: %s", g.path, imp, r.name)
				}
			}
		}
	}
}

// platformSuffixes maps each platform-only build constraint to the file
// name ending it requires: files are named for what they include or
// exclude, the same way everywhere.
var platformSuffixes = map[string]string{
	"unix":               "_unix",
	"!unix":              "_notunix",
	"!windows":           "_notwindows",
	"!linux":             "_notlinux",
	"unix && !linux":     "_unix_notlinux",
	"linux":              "_linux",
	"windows":            "_windows",
	"!unix && !windows":  "_notunix_notwindows",
	"!linux && !windows": "_notlinux_notwindows",
}

// platformTerms are the build tags that name a platform.
var platformTerms = map[string]bool{"unix": true, "linux": true, "windows": true, "darwin": true, "freebsd": true}

// TestPlatformFileNames: a file whose build constraint names platforms
// only carries the matching ending (before _test.go), and files named for
// a platform by Go's own convention (_linux.go, _windows.go) need no
// constraint. Constraints that mix in other tags (faults) are left alone.
func TestPlatformFileNames(t *testing.T) {
	for _, g := range moduleFiles(t) {
		if g.constraint == "" {
			continue
		}
		expr, err := constraint.Parse("//go:build " + g.constraint)
		if err != nil {
			t.Errorf("%s: %v", g.path, err)
			continue
		}
		onlyPlatform := true
		expr.Eval(func(tag string) bool {
			if !platformTerms[tag] {
				onlyPlatform = false
			}
			return true
		})
		if !onlyPlatform {
			continue
		}
		suffix, ok := platformSuffixes[g.constraint]
		if !ok {
			t.Errorf("%s: constraint %q has no naming rule here: add one", g.path, g.constraint)
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(g.path, ".go"), "_test")
		if !strings.HasSuffix(base, suffix) {
			t.Errorf("%s: //go:build %s, so its name must end in %s.go (or %s_test.go)", g.path, g.constraint, suffix, suffix)
		}
	}
}
