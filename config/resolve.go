package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Defaults of the keys whose default is not the zero value.
const (
	defaultDelay         = time.Second
	defaultMaxDelay      = time.Minute
	defaultResetAfter    = time.Minute
	defaultMaxFailures   = 10
	defaultStopTimeout   = 10 * time.Second
	defaultWindowTimeout = 2 * time.Second
	defaultMaxSize       = 10 << 20
	defaultMaxFiles      = 10
	defaultRecoveryReset = 24 * time.Hour
)

// defaultRecovery are the service manager's restart delays after the
// wrapper itself fails.
var defaultRecovery = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute}

// nameRule is the service name rule: safe as a Windows service name, a
// systemd unit name and a file name on both systems, and never mistaken
// for a command-line flag. validName adds the limit of 80 bytes (a
// counted repetition such as {0,79} compiles into a program of hundreds
// of states: a millisecond at every start).
var nameRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func validName(s string) bool { return len(s) <= 80 && nameRule.MatchString(s) }

// resolver turns a decoded raw config into a Config, adding problems.
type resolver struct {
	ps   *problems
	x    *expander
	base string
	fold bool
}

// resolve applies defaults, expansion and path resolution to r and checks
// what the decoder could not check alone (files, cross-field rules). The
// returned Config is only meaningful when ps stays empty.
func resolve(r *raw, ps *problems, file, defaultName string, fold bool, lookupEnv func(string) (string, bool)) *Config {
	c := &Config{File: file, BaseDir: filepath.Dir(file)}
	rs := &resolver{ps: ps, base: c.BaseDir, fold: fold}
	c.Name = rs.name(r.name, defaultName)
	c.DisplayName = c.Name
	if r.displayName.set && rs.singleLine(r.displayName, "display_name", 256) {
		c.DisplayName = r.displayName.v
	}
	if r.description.set && rs.singleLine(r.description, "description", 1024) {
		c.Description = r.description.v
	}
	rs.x = newExpander(c.BaseDir, c.Name, fold, lookupEnv)
	c.EnvFile, c.Env = rs.environment(r)
	c.Executable = rs.executable(r.executable)
	c.Arguments = make([]string, 0, len(r.arguments.v))
	for i, a := range r.arguments.v {
		s, _ := rs.expand(a, fmt.Sprintf("arguments[%d]", i))
		c.Arguments = append(c.Arguments, s)
	}
	c.WorkingDirectory = c.BaseDir
	if wd, ok := rs.path(r.workingDirectory, "working_directory", c.BaseDir); ok {
		c.WorkingDirectory = wd
		if err := checkDir(wd); err != nil {
			ps.add(r.workingDirectory.line, "working_directory", "%v", err)
		}
	}
	c.Restart = rs.restart(&r.restart)
	c.Stop = Stop{
		Timeout:       or(r.stop.timeout, defaultStopTimeout),
		Signal:        or(r.stop.signal, "TERM"),
		WindowTimeout: or(r.stop.windowTimeout, defaultWindowTimeout),
	}
	c.Log = rs.log(&r.log, c.Name)
	c.Service = rs.service(&r.service)
	c.Health = rs.health(&r.health)
	c.WaitFor = rs.waitFor(r.waitFor.v)
	c.Hooks = rs.hooks(&r.hooks)
	c.Watch = or(r.watch, false)
	return c
}

// or returns v's value if set, else def.
func or[T any](v val[T], def T) T {
	if v.set {
		return v.v
	}
	return def
}

// name returns the service name from the YAML or the default.
func (rs *resolver) name(v val[string], def string) string {
	switch {
	case v.set:
		if !validName(v.v) {
			rs.ps.add(v.line, "name", "invalid service name %q: use 1 to 80 letters, digits, '_', '.' or '-', starting with a letter or digit", v.v)
		}
		return v.v
	case v.bad:
		return ""
	case def == "":
		rs.ps.add(v.line, "name", "required (there is no default name)")
		return ""
	case !validName(def):
		rs.ps.add(v.line, "name", "the default name %q (the wrapper's executable name) is not a valid service name: set `name` to 1 to 80 letters, digits, '_', '.' or '-', starting with a letter or digit", def)
	}
	return def
}

// singleLine checks a free-text value that ends up in service manager
// fields and systemd unit lines, where a line break would inject a line.
func (rs *resolver) singleLine(v val[string], key string, maxLen int) bool {
	switch {
	case strings.IndexFunc(v.v, unicode.IsControl) >= 0:
		rs.ps.add(v.line, key, "must be a single line without control characters")
	case len(v.v) > maxLen:
		rs.ps.add(v.line, key, "too long (%d bytes, at most %d)", len(v.v), maxLen)
	default:
		return true
	}
	return false
}

// expand expands a set value, reporting failures under key.
func (rs *resolver) expand(v val[string], key string) (string, bool) {
	if !v.set {
		return "", false
	}
	s, err := rs.x.expand(v.v)
	if err != nil {
		rs.ps.add(v.line, key, "%v", err)
		return "", false
	}
	return s, true
}

// path expands a set value and makes it absolute against dir.
func (rs *resolver) path(v val[string], key, dir string) (string, bool) {
	s, ok := rs.expand(v, key)
	if !ok {
		return "", false
	}
	if s == "" {
		rs.ps.add(v.line, key, "must not be empty (remove the key to get the default)")
		return "", false
	}
	p, err := absPath(dir, s)
	if err != nil {
		rs.ps.add(v.line, key, "%v", err)
		return "", false
	}
	return p, true
}

// environment loads the env_file and expands env, defining each entry for
// later expansions, and returns the env_file path and the merged entries.
func (rs *resolver) environment(r *raw) (string, []string) {
	var list []string
	envFile, ok := rs.path(r.envFile, "env_file", rs.base)
	if ok {
		data, err := readRegular(envFile)
		if err != nil {
			rs.ps.addErr(r.envFile.line, "env_file", fmt.Errorf("%s: %w", envFile, err))
		}
		entries, errs := parseEnvFile(data)
		for _, e := range errs {
			rs.ps.list = append(rs.ps.list, &Problem{File: envFile, Line: e.line, Key: "env_file", Msg: e.err.Error(), err: e.err})
		}
		for _, e := range entries {
			rs.x.define(e.key, e.value)
			list = append(list, e.key+"="+e.value)
		}
	}
	for _, e := range r.env.v {
		// A failed entry is defined as empty so that references to it do not
		// add an "undefined variable" problem to the one already reported.
		v, _ := rs.expand(e.value, "env."+e.key)
		rs.x.define(e.key, v)
		list = append(list, e.key+"="+v)
	}
	return envFile, mergeEnv(nil, list, rs.fold)
}

// executable resolves the required executable.
func (rs *resolver) executable(v val[string]) string {
	if !v.set {
		if !v.bad {
			rs.ps.add(v.line, "executable", "required (the program to run)")
		}
		return ""
	}
	s, ok := rs.expand(v, "executable")
	if !ok {
		return ""
	}
	if s == "" {
		rs.ps.add(v.line, "executable", "must not be empty")
		return ""
	}
	exe, err := findExecutable(s, rs.base)
	if err != nil {
		rs.ps.add(v.line, "executable", "%v", err)
	}
	return exe
}
