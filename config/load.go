package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds the YAML file and the env_file: a configuration is a
// few kilobytes, and a path to a huge or endless file (/dev/zero) must not
// exhaust memory.
const maxFileSize = 1 << 20

// Locate returns the configuration file for the wrapper executable exe:
// <exe base name without .exe>.yaml in exe's directory if it exists, else
// wrapper.yaml there. The returned path is absolute. Symbolic links in exe
// are not resolved; pass os.Executable()'s result as is. When neither file
// exists the error names both paths and wraps fs.ErrNotExist.
func Locate(exe string) (string, error) {
	if exe == "" {
		return "", errors.New("locate config: empty executable path")
	}
	dir, err := filepath.Abs(filepath.Dir(exe))
	if err != nil {
		return "", fmt.Errorf("locate config: %w", err)
	}
	base := filepath.Base(exe)
	if ext := filepath.Ext(base); strings.EqualFold(ext, ".exe") {
		base = strings.TrimSuffix(base, ext)
	}
	candidates := []string{filepath.Join(dir, base+".yaml")}
	if def := filepath.Join(dir, "wrapper.yaml"); !samePath(def, candidates[0]) {
		candidates = append(candidates, def)
	}
	for _, p := range candidates {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err == nil:
			return "", fmt.Errorf("locate config: %s is not a regular file", p)
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("locate config: %w", err)
		}
	}
	return "", fmt.Errorf("no config file found (tried %s): %w", strings.Join(candidates, " and "), fs.ErrNotExist)
}

// Load reads the YAML file at path (made absolute) and its env_file, then
// parses it as Parse does. A file that cannot be read is reported as a
// *Problem wrapping the file system error, so errors.Is(err,
// fs.ErrNotExist) works.
func Load(path string, opts Options) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, errors.Join(&Problem{File: path, Msg: fmt.Sprintf("cannot make the path absolute: %v", err), err: err})
	}
	data, err := readRegular(abs)
	if err != nil {
		return nil, errors.Join(&Problem{File: abs, Msg: err.Error(), err: err})
	}
	return Parse(abs, data, opts)
}

// Parse decodes, expands, defaults and validates the YAML in data. path
// (made absolute) names the file in messages and its directory is BaseDir.
// Parse still reads the env_file and checks that the executable and the
// working directory exist. On failure the error is an errors.Join of
// *Problem, one per mistake, in line order.
func Parse(path string, data []byte, opts Options) (*Config, error) {
	return parse(path, data, opts, foldEnv)
}

// parse is Parse with Windows semantics as a parameter (fold: environment
// names are case-insensitive, and service.recovery may run commands and
// reboot), so that tests cover them on every OS.
func parse(path string, data []byte, opts Options, fold bool) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, errors.Join(&Problem{File: path, Msg: fmt.Sprintf("cannot make the path absolute: %v", err), err: err})
	}
	ps := &problems{file: abs}
	root := parseYAML(data, ps)
	if root == nil {
		return nil, ps.err()
	}
	var r raw
	if !(&decoder{ps: ps, fold: fold}).root(root, &r) {
		return nil, ps.err()
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	c := resolve(&r, ps, abs, opts, fold)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// readRegular reads a regular file of at most maxFileSize bytes; it refuses
// devices and pipes, which could block or never end.
func readRegular(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", pathErr(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("cannot read: not a regular file")
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("cannot read: larger than %s", formatSize(maxFileSize))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", pathErr(err))
	}
	return data, nil
}

// pathErr drops the *fs.PathError wrapper whose text repeats a path the
// Problem already names, and turns "not found" errors into fs.ErrNotExist
// so that messages read the same on every OS; errors.Is still works.
func pathErr(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fs.ErrNotExist
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Name returns the service name the YAML at path gives, reading nothing
// but the top-level `name` key, so that it works on a file that no longer
// loads: the CLI still finds the wrapper that runs with the configuration
// it started with (its control endpoint depends on the name alone). It is
// opts.DefaultName when the key is absent. It fails when the file cannot
// be read, is not YAML, or names no valid service.
func Name(path string, opts Options) (string, error) {
	data, err := readRegular(path)
	if err != nil {
		return "", fmt.Errorf("read the service name from %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("read the service name from %s: invalid YAML", path)
	}
	name := opts.DefaultName
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k, v := m.Content[i], m.Content[i+1]; k.Value == "name" && v.Kind == yaml.ScalarNode {
				name = v.Value
			}
		}
	}
	if !validName(name) {
		return "", fmt.Errorf("read the service name from %s: %q is not a valid service name", path, name)
	}
	return name, nil
}
