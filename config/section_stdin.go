package config

import (
	"errors"
	"io/fs"
	"os"

	"go.yaml.in/yaml/v3"
)

// The values of Stdin.Mode.
const (
	StdinNull = "null"
	StdinOpen = "open"
	StdinFile = "file"
)

// Stdin is the program's standard input: `stdin: null` (or no key),
// `stdin: open` or `stdin: {file: PATH}`.
type Stdin struct {
	// Mode is StdinNull (the null device: the program reads end of file at
	// once), StdinOpen (a pipe the wrapper keeps open and never writes to,
	// closed by a close_stdin stop step or at the program's exit) or
	// StdinFile (File, opened read-only at every start). Default: null.
	Mode string
	// File is the absolute path of StdinFile's file: a regular file or a
	// device that exists when the file is loaded. "" for the other modes.
	File string
}

// rawStdin is the stdin key as written: a mode, or the file of a
// {file: PATH} mapping.
type rawStdin struct {
	line int
	mode val[string]
	file val[string]
}

// stdinField is the stdin key's entry in the field table. Its value is a
// scalar or a mapping, so it is a leaf with a decoder of its own; the
// mapping's one key is decoded with the usual field table.
func stdinField(r *rawStdin) field {
	return field{name: "stdin", decode: func(d *decoder, key string, n *yaml.Node) {
		m := deref(n)
		r.line = m.Line
		switch {
		case isNull(m):
		case m.Kind == yaml.MappingNode:
			d.mapping(key, m, []field{{name: "file", decode: str(&r.file)}})
			if !written(r.file) {
				d.ps.add(m.Line, key, "file is required in the mapping form ({file: PATH})")
			}
			r.mode = val[string]{v: StdinFile, line: m.Line, set: true}
		case m.Kind == yaml.ScalarNode && (m.Value == StdinNull || m.Value == StdinOpen):
			r.mode = val[string]{v: m.Value, line: m.Line, set: true}
		case m.Kind == yaml.ScalarNode:
			r.mode.bad = true
			d.ps.add(m.Line, key, "invalid value %q: want null, open or {file: PATH}%s", m.Value,
				suggest(m.Value, []string{StdinNull, StdinOpen}, nil))
		default:
			r.mode.bad = true
			d.ps.add(m.Line, key, "expected null, open or {file: PATH}, got %s", describe(m))
		}
	}}
}

// stdin resolves the stdin key. The file must exist and be a regular file
// or a device: a directory cannot be read, and a named pipe or a socket
// would block the start of the program until someone writes to it.
func (rs *resolver) stdin(r *rawStdin) Stdin {
	out := Stdin{Mode: or(r.mode, StdinNull)}
	if out.Mode != StdinFile {
		return out
	}
	p, ok := rs.path(r.file, "stdin.file", rs.base)
	if !ok {
		return out
	}
	out.File = p
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rs.ps.add(r.file.line, "stdin.file", "%s does not exist", p)
	case err != nil:
		rs.ps.add(r.file.line, "stdin.file", "cannot use %s: %v", p, pathErr(err))
	case fi.IsDir():
		rs.ps.add(r.file.line, "stdin.file", "%s is a directory", p)
	case !fi.Mode().IsRegular() && fi.Mode()&fs.ModeDevice == 0:
		rs.ps.add(r.file.line, "stdin.file", "%s is not a regular file or a device (a named pipe or a socket would block the start)", p)
	}
	return out
}
