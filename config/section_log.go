package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wrapper-dev/wrapper/internal/charset"
)

// Defaults of the log keys whose default is not the zero value or a path.
const (
	defaultMaxSize  = 10 << 20
	defaultMaxFiles = 10
)

// minSize is the smallest log.max_size: smaller files would rotate on
// almost every line.
const minSize = 1 << 10

// Log describes the log files. All paths are absolute.
type Log struct {
	// Dir is the log directory. Default: BaseDir/logs.
	Dir string
	// Stdout receives the child's standard output.
	// Default: Dir/<name>.out.log.
	Stdout string
	// Stderr receives the child's standard error; equal to Stdout means one
	// merged file (see Merged). Default: Dir/<name>.err.log.
	Stderr string
	// Wrapper is the wrapper's own log; never equal to Stdout or Stderr.
	// Default: Dir/<name>.wrapper.log.
	Wrapper string
	// MaxSize is the size in bytes at which a log file is rotated; at least
	// 1024. Default: 10 MiB.
	MaxSize int64
	// MaxFiles is how many rotated files are kept per log; 0 keeps all.
	// Default: 10.
	MaxFiles int
	// MaxAge is how long rotated files are kept; 0 keeps them regardless of
	// age. Default: 0.
	MaxAge time.Duration
	// Compress is how rotated files are compressed: "gzip" or "" (not at
	// all); `compress: true` means gzip. Default: "".
	Compress string
	// Timestamps prefixes every line of child output with a timestamp.
	// Default: false.
	Timestamps bool
	// RotateEvery also rotates the log files when a period of this length
	// ends by the local wall clock (24h: at midnight; 1h: on the hour);
	// 0 turns time rotation off. At least 1s; above 24h a whole number of
	// days. Default: 0.
	RotateEvery time.Duration
	// Encoding is the character encoding of the child's output, which is
	// decoded to UTF-8: the canonical name (internal/charset) of what the
	// YAML says. Default: "utf-8" (not decoded at all).
	Encoding string
}

// Merged reports whether stdout and stderr go to the same file, which must
// then be opened once and shared (on Windows a second handle breaks rename
// on rotation).
func (l Log) Merged() bool {
	return samePath(l.Stdout, l.Stderr)
}

// rawLog is the log section as written.
type rawLog struct {
	dir, stdout, stderr, wrapper val[string]
	maxSize                      val[int64]
	maxFiles                     val[int]
	maxAge, rotateEvery          val[time.Duration]
	timestamps                   val[bool]
	compress, encoding           val[string]
}

// logField is the log section's entry in the field table.
func logField(r *rawLog) field {
	return field{name: "log", sub: []field{
		{name: "dir", decode: str(&r.dir)},
		{name: "stdout", decode: str(&r.stdout)},
		{name: "stderr", decode: str(&r.stderr)},
		{name: "wrapper", decode: str(&r.wrapper)},
		{name: "max_size", decode: size(&r.maxSize)},
		{name: "max_files", decode: count(&r.maxFiles)},
		{name: "max_age", decode: duration(&r.maxAge)},
		{name: "compress", decode: compressMode(&r.compress)},
		{name: "timestamps", decode: boolean(&r.timestamps)},
		{name: "rotate_every", decode: duration(&r.rotateEvery)},
		{name: "encoding", decode: encodingName(&r.encoding)},
	}}
}

// compressions are the values of log.compress, in any case: true is gzip.
var compressions = []string{"true", "false", "gzip"}

// compressMode decodes log.compress. zstd, which users may well expect,
// gets the reason it is not offered rather than a bare "invalid value".
func compressMode(p *val[string]) decodeFunc {
	known := enum(p, compressions, strings.ToLower)
	return func(d *decoder, key string, n *yaml.Node) {
		if m := deref(n); m.Kind == yaml.ScalarNode && strings.EqualFold(m.Value, "zstd") {
			p.line, p.bad = m.Line, true
			d.ps.add(m.Line, key, "invalid value %q: want %s (zstd is not offered: linking it slows every wrapper's start)",
				m.Value, orList(compressions))
			return
		}
		known(d, key, n)
	}
}

// compression is log.compress's meaning: "gzip" or "" (off).
func compression(v string) string {
	switch v {
	case "true":
		return "gzip"
	case "false":
		return ""
	}
	return v
}

// encodingName decodes log.encoding into the encoding's canonical name.
func encodingName(p *val[string]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (string, bool) {
		s, ok := asString(d, key, n)
		if !ok {
			return "", false
		}
		name, ok := charset.Canonical(s)
		if !ok || strings.TrimSpace(s) == "" {
			hint := suggest(s, charset.Names(), nil)
			if hint == "" {
				hint = " (a name such as utf-8, utf-16le, gbk, shift_jis, windows-1252 or cp437; docs/config.md lists them)"
			}
			d.ps.add(n.Line, key, "unknown encoding %q%s", s, hint)
			return "", false
		}
		return name, true
	})
}

// rotateEvery checks log.rotate_every as logrotate will.
func (rs *resolver) rotateEvery(v val[time.Duration]) time.Duration {
	const day = 24 * time.Hour
	switch d := v.v; {
	case !v.set || d == 0:
		return 0
	case d < time.Second:
		rs.ps.add(v.line, "log.rotate_every", "must be 0 (off) or at least 1s")
	case d > day && d%day != 0:
		rs.ps.add(v.line, "log.rotate_every", "above 24h it must be a whole number of days, such as 48h or 7d")
	default:
		return d
	}
	return 0
}

// log resolves the log paths (dir against BaseDir, files against dir) and
// applies defaults.
func (rs *resolver) log(r *rawLog, name string) Log {
	out := Log{
		Dir:         filepath.Join(rs.base, "logs"),
		MaxSize:     or(r.maxSize, defaultMaxSize),
		MaxFiles:    or(r.maxFiles, defaultMaxFiles),
		MaxAge:      or(r.maxAge, 0),
		Compress:    compression(or(r.compress, "false")),
		Timestamps:  or(r.timestamps, false),
		RotateEvery: rs.rotateEvery(r.rotateEvery),
		Encoding:    or(r.encoding, charset.UTF8),
	}
	dirOK := !r.dir.bad
	if r.dir.set {
		out.Dir, dirOK = rs.path(r.dir, "log.dir", rs.base)
	}
	files := []struct {
		v    val[string]
		key  string
		dst  *string
		base string
	}{
		{r.stdout, "log.stdout", &out.Stdout, name + ".out.log"},
		{r.stderr, "log.stderr", &out.Stderr, name + ".err.log"},
		{r.wrapper, "log.wrapper", &out.Wrapper, name + ".wrapper.log"},
	}
	ok := dirOK
	for _, f := range files {
		*f.dst = filepath.Join(out.Dir, f.base)
		if f.v.set {
			p, good := rs.path(f.v, f.key, out.Dir)
			*f.dst = p
			ok = ok && good
		}
		ok = ok && !f.v.bad
	}
	if ok {
		for _, other := range files[:2] {
			if samePath(out.Wrapper, *other.dst) {
				rs.ps.add(max(r.wrapper.line, other.v.line), "log.wrapper", "must differ from %s (both are %s)", other.key, out.Wrapper)
			}
		}
	}
	return out
}

// checkLogDir refuses a log directory that is a file system root or holds
// (directly or in a subdirectory) a file the service runs or trusts: the
// wrapper executable, this file, the env_file, the executable, or the
// program of health.command, of a hook or of a stop step's command. The service account gets write
// access to the log directory, and could then replace such a file: the
// next start, or an admin's `sudo wrapper run`, would run its code. Paths
// are compared as written and with their links resolved. line is log.dir's
// (0 for the default); a directory that failed to resolve was reported.
func (rs *resolver) checkLogDir(line int, c *Config, wrapperExe string) {
	dir := c.Log.Dir
	if dir == "" {
		return
	}
	dirs := []string{dir, resolveLinks(dir)}
	for _, d := range dirs {
		if filepath.Dir(d) == d {
			rs.ps.add(line, "log.dir", "must not be a file system root: the service account gets write access to the log directory")
			return
		}
	}
	held := []struct{ what, path string }{
		{"the wrapper executable", wrapperExe}, {"this configuration file", c.File}, {"the env_file", c.EnvFile},
		{"the executable", c.Executable}, {"the health.command program", first(c.Health.Command)},
		{"the hooks.pre_start program", first(c.Hooks.PreStart.Command)},
		{"the hooks.post_start program", first(c.Hooks.PostStart.Command)},
		{"the hooks.pre_stop program", first(c.Hooks.PreStop.Command)},
		{"the hooks.post_stop program", first(c.Hooks.PostStop.Command)},
		{"the hooks.on_give_up program", first(c.Hooks.OnGiveUp.Command)},
	}
	for _, argv := range c.Stop.commands() {
		held = append(held, struct{ what, path string }{"the program of a stop.steps command", first(argv)})
	}
	var found []string
	for _, h := range held {
		if !filepath.IsAbs(h.path) { // none, or a bare name found on PATH
			continue
		}
		for _, d := range dirs {
			if within(d, h.path) || within(d, resolveLinks(h.path)) {
				found = append(found, fmt.Sprintf("%s (%s)", h.what, h.path))
				break
			}
		}
	}
	if len(found) > 0 {
		and := strings.Join(found[:len(found)-1], ", ")
		if and != "" {
			and += " and "
		}
		rs.ps.add(line, "log.dir", "%s holds %s%s: the service account gets write access to the log directory and could replace what it holds; use a directory of its own",
			dir, and, found[len(found)-1])
	}
}

// first returns a command's program, or "" for none.
func first(command []string) string {
	if len(command) == 0 {
		return ""
	}
	return command[0]
}
