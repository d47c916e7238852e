package config

// The top level of the file: the program to run, the service's name and the
// program's environment, and the Config type that holds every section. Each
// section (restart, stop, log, service, health, wait_for, hooks, heartbeat,
// limits, http, registry), the metrics switch and the stdin key has its own
// section_*.go file with its type, raw form, field table and resolver; so
// do the top-level keys priority and affinity (section_top_priority.go),
// user and group (section_top_user.go).

import (
	"fmt"
	"path/filepath"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// Config is a fully normalised configuration: every default is filled in,
// every path is absolute and clean, durations are time.Duration and sizes are
// bytes. A *Config returned by Load or Parse is always valid.
type Config struct {
	// File is the absolute path of the YAML file.
	File string
	// BaseDir is the directory holding File; relative paths resolve against
	// it and ${BASE} expands to it.
	BaseDir string
	// Name is the service name: 1 to 80 characters from [A-Za-z0-9_.-],
	// starting with a letter or digit. Default: Options.DefaultName.
	Name string
	// DisplayName is the human-readable service name. Default: Name.
	DisplayName string
	// Description is the service description. Default: "".
	Description string
	// Executable is the program to run: an absolute path when the YAML names
	// a path or a file of that name exists in BaseDir, otherwise a bare name
	// that was found on PATH at load time and is looked up again at start.
	Executable string
	// Arguments are passed to the program as-is, never through a shell.
	// Default: none (empty, non-nil).
	Arguments []string
	// WorkingDirectory is the child's absolute working directory.
	// Default: BaseDir.
	WorkingDirectory string
	// Env holds KEY=VALUE entries to add to the inherited environment:
	// env_file entries first, then env entries in file order. A key defined
	// twice keeps its first position and takes the last value, so env wins
	// over env_file.
	Env []string
	// EnvFile is the absolute path of the env_file, or "" when there is none.
	EnvFile string
	// ConsoleCodePage is the Windows code page set as the input and output
	// code page of the program's console before it runs (65001 is UTF-8);
	// 0 leaves the system's default. Other systems ignore it (the wrapper
	// logs a warning). Default: 0.
	ConsoleCodePage int
	// Stdin is the program's standard input. Default: the null device.
	Stdin Stdin
	// Priority is the scheduling priority of the program's whole process
	// tree: PriorityIdle, PriorityBelowNormal, PriorityNormal,
	// PriorityAboveNormal or PriorityHigh, a Windows priority class or on
	// Linux a nice value (docs/config.md#priority-and-affinity). "" leaves
	// the wrapper's own. Default: "".
	Priority string
	// Affinity are the CPUs, numbered from 0, ascending and each once,
	// that the program's whole process tree may run on. Default: none
	// (empty, non-nil): the CPUs the wrapper may use.
	Affinity []int
	// User is the account the program runs as, by name or uid, when the
	// wrapper runs as root (Unix; an error on Windows). "" runs it as the
	// wrapper's account. Default: "".
	User string
	// Group is the program's primary group, by name or gid, when User is
	// set. Default: "" (User's primary group).
	Group string
	// Restart is the restart policy.
	Restart Restart
	// Stop describes how the child is asked to stop.
	Stop Stop
	// Log describes where output goes and how it rotates.
	Log Log
	// Service holds settings used by `wrapper install`.
	Service Service
	// Health is the program's health check. Default: none
	// (Health.Enabled() is false; its durations hold their defaults).
	Health Health
	// WaitFor are the conditions waited for, in order, before every start
	// of the program. Default: none (empty, non-nil).
	WaitFor []Condition
	// Hooks are commands run around the program's life. Default: none.
	Hooks Hooks
	// Heartbeat pings a dead man's switch while the program is healthy.
	// Default: off (Heartbeat.Enabled() is false).
	Heartbeat Heartbeat
	// Limits restart the program when its process tree uses too much
	// memory or CPU. Default: none (Limits.Enabled() is false).
	Limits Limits
	// Watch makes the wrapper reload this file when it changes, as
	// `wrapper reload` does. Default: false.
	Watch bool
	// PassStartArgs appends the arguments a Windows service is started
	// with (`sc start NAME a b`) to Arguments for that run of the service.
	// Other platforms have no start arguments. Default: false.
	PassStartArgs bool
	// HTTP is the HTTP listener (control API, /metrics, status page).
	// Default: off (HTTP.Enabled() is false).
	HTTP HTTP
	// Metrics serves /metrics, in the Prometheus text format, on the HTTP
	// listener, which it needs. Default: false.
	Metrics bool
	// Registry is where the running wrapper registers its service.
	// Default: nowhere (Registry.Consul.Enabled is false).
	Registry Registry
}

// raw is the configuration as written, before defaults, expansion and path
// resolution.
type raw struct {
	name, displayName, description val[string]
	executable, workingDirectory   val[string]
	arguments                      val[[]val[string]]
	env                            val[[]envEntry]
	envFile                        val[string]
	consoleCodePage                val[int]
	stdin                          rawStdin
	priority, user, group          val[string]
	affinity                       val[[]int]
	restart                        rawRestart
	stop                           rawStop
	log                            rawLog
	service                        rawService
	health                         rawHealth
	waitFor                        val[[]*rawCondition]
	hooks                          rawHooks
	heartbeat                      rawHeartbeat
	limits                         rawLimits
	watch, passStartArgs           val[bool]
	http                           rawHTTP
	metrics                        val[bool]
	registry                       rawRegistry
}

// fields returns the field table of the whole file, decoding into r. The
// table is data so that unknown-key suggestions and the tests that compare
// it with the JSON schema and docs/config.md see exactly the keys the
// decoder accepts.
func fields(r *raw) []field {
	return []field{
		{name: "name", decode: str(&r.name)},
		{name: "display_name", decode: str(&r.displayName)},
		{name: "description", decode: str(&r.description)},
		{name: "executable", decode: str(&r.executable)},
		{name: "arguments", decode: strList(&r.arguments)},
		{name: "working_directory", decode: str(&r.workingDirectory)},
		{name: "env", decode: envMap(&r.env)},
		{name: "env_file", decode: str(&r.envFile)},
		{name: "console_codepage", decode: codePage(&r.consoleCodePage)},
		stdinField(&r.stdin),
		{name: "priority", decode: enum(&r.priority, priorities, nil)},
		{name: "affinity", decode: cpuSet(&r.affinity)},
		{name: "user", decode: str(&r.user)},
		{name: "group", decode: str(&r.group)},
		restartField(&r.restart),
		stopField(&r.stop),
		logField(&r.log),
		serviceField(&r.service),
		healthField(&r.health),
		waitForField(&r.waitFor),
		hooksField(&r.hooks),
		heartbeatField(&r.heartbeat),
		limitsField(&r.limits),
		{name: "watch", decode: boolean(&r.watch)},
		{name: "pass_start_args", decode: boolean(&r.passStartArgs)},
		httpField(&r.http),
		{name: "metrics", decode: boolean(&r.metrics)},
		registryField(&r.registry),
	}
}

// codePage decodes console_codepage: a Windows code page identifier, which
// is 16 bits; whether Windows has it is checked where it runs.
func codePage(p *val[int]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (int, bool) {
		v, ok := asInt(d, key, n)
		if ok && (v < 0 || v > 65535) {
			d.ps.add(n.Line, key, "code page %d out of range 0..65535 (65001 is UTF-8; 0 keeps the system's)", v)
			return 0, false
		}
		return int(v), ok
	})
}

// nameRule is the service name rule: safe as a Windows service name, a
// systemd unit name and a file name on both systems, and never mistaken
// for a command-line flag. validName adds the limit of 80 bytes (a
// counted repetition such as {0,79} compiles into a program of hundreds
// of states: a millisecond at every start).
var nameRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func validName(s string) bool { return len(s) <= 80 && nameRule.MatchString(s) }

// resolve applies defaults, expansion and path resolution to r and checks
// what the decoder could not check alone (files, cross-field rules).
// opts.LookupEnv is not nil. The returned Config is only meaningful when
// ps stays empty.
func resolve(r *raw, ps *problems, file string, opts Options, fold bool) *Config {
	c := &Config{File: file, BaseDir: filepath.Dir(file)}
	rs := &resolver{ps: ps, base: c.BaseDir, fold: fold, windows: fold}
	c.Name = rs.name(r.name, opts.DefaultName)
	c.DisplayName = c.Name
	if r.displayName.set && rs.singleLine(r.displayName, "display_name", 256) {
		c.DisplayName = r.displayName.v
	}
	if r.description.set && rs.singleLine(r.description, "description", 1024) {
		c.Description = r.description.v
	}
	rs.x = newExpander(c.BaseDir, c.Name, fold, opts.LookupEnv)
	c.EnvFile, c.Env = rs.environment(r)
	c.Executable = rs.executable(r.executable)
	c.Arguments = rs.arguments(r.arguments.v)
	c.WorkingDirectory = rs.workingDirectory(r.workingDirectory)
	c.ConsoleCodePage = or(r.consoleCodePage, 0)
	c.Restart = rs.restart(&r.restart)
	c.Stdin = rs.stdin(&r.stdin)
	c.Stop = rs.stop(&r.stop, c.Stdin)
	c.Log = rs.log(&r.log, c.Name)
	c.Service = rs.service(&r.service)
	c.Priority, c.Affinity = or(r.priority, ""), or(r.affinity, []int{})
	c.User, c.Group = rs.account(r, c.Service)
	c.Health = rs.health(&r.health)
	c.WaitFor = rs.waitFor(r.waitFor.v)
	c.Hooks = rs.hooks(&r.hooks)
	c.Heartbeat = rs.heartbeat(&r.heartbeat)
	c.Limits = rs.limits(&r.limits)
	c.Watch = or(r.watch, false)
	c.PassStartArgs = or(r.passStartArgs, false)
	rs.checkLogDir(r.log.dir.line, c, opts.WrapperExe)
	c.HTTP = rs.http(&r.http)
	c.Metrics = rs.metrics(r.metrics, c.HTTP)
	c.Registry = rs.registry(&r.registry, c.Name)
	return c
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
		v, _ := rs.expandMasked(e.value, "env."+e.key)
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

// arguments expands the arguments; one that fails is reported and kept
// empty so that the others still show their problems.
func (rs *resolver) arguments(args []val[string]) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		s, _ := rs.expand(a, fmt.Sprintf("arguments[%d]", i))
		out = append(out, s)
	}
	return out
}

// workingDirectory resolves working_directory, which must be an existing
// directory. Default: BASE.
func (rs *resolver) workingDirectory(v val[string]) string {
	wd, ok := rs.path(v, "working_directory", rs.base)
	if !ok {
		return rs.base
	}
	if err := checkDir(wd); err != nil {
		rs.ps.add(v.line, "working_directory", "%v", err)
	}
	return wd
}
