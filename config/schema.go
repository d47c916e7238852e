package config

import (
	"strings"
	"sync"
	"time"
)

// val is one decoded YAML value with its position. set reports a valid
// value; line is non-zero whenever the key was present (even when null or
// invalid); bad marks a value already reported as a problem, so later checks
// do not pile a second complaint onto the same mistake.
type val[T any] struct {
	v    T
	line int
	set  bool
	bad  bool
}

// envEntry is one `env` mapping entry, in file order.
type envEntry struct {
	key   string
	value val[string]
}

// raw is the configuration as written, before defaults, expansion and path
// resolution.
type raw struct {
	name, displayName, description val[string]
	executable, workingDirectory   val[string]
	arguments                      val[[]val[string]]
	env                            val[[]envEntry]
	envFile                        val[string]
	restart                        rawRestart
	stop                           rawStop
	log                            rawLog
	service                        rawService
	health                         rawHealth
	waitFor                        val[[]*rawCondition]
	hooks                          rawHooks
	watch                          val[bool]
}

type rawRestart struct {
	policy                      val[string]
	delay, maxDelay, resetAfter val[time.Duration]
	maxFailures                 val[int]
	success, fatal              val[[]val[int]]
}

type rawStop struct {
	timeout, windowTimeout val[time.Duration]
	signal                 val[string]
}

type rawLog struct {
	dir, stdout, stderr, wrapper val[string]
	maxSize                      val[int64]
	maxFiles                     val[int]
	maxAge                       val[time.Duration]
	compress, timestamps         val[bool]
}

type rawService struct {
	startMode                         val[string]
	dependencies                      val[[]val[string]]
	account, passwordEnv, user, group val[string]
	recovery                          val[[]val[time.Duration]]
	recoveryReset                     val[time.Duration]
	capabilities                      val[[]val[string]]
}

// field is one known key and how to decode its value.
type field struct {
	name   string
	decode decodeFunc // leaf decoder; nil for a section
	sub    []field    // the keys of a section
	items  []field    // the keys of a list's mapping items (wait_for), for knownKeys
	line   *int       // when not nil, receives the line of the key
}

// Values accepted by the enumerated keys.
var (
	policies   = []string{PolicyAlways, PolicyOnFailure, PolicyNever}
	startModes = []string{StartAuto, StartDelayedAuto, StartManual, StartDisabled}
	signals    = []string{"TERM", "INT", "HUP", "QUIT", "USR1", "USR2"}
)

// fields returns the schema of the whole file, decoding into r. The schema is
// data so that unknown-key suggestions and the JSON schema test see exactly
// the keys the decoder accepts.
func fields(r *raw) []field {
	return append([]field{
		{name: "name", decode: str(&r.name)},
		{name: "display_name", decode: str(&r.displayName)},
		{name: "description", decode: str(&r.description)},
		{name: "executable", decode: str(&r.executable)},
		{name: "arguments", decode: strList(&r.arguments)},
		{name: "working_directory", decode: str(&r.workingDirectory)},
		{name: "env", decode: envMap(&r.env)},
		{name: "env_file", decode: str(&r.envFile)},
		{name: "restart", sub: []field{
			{name: "policy", decode: enum(&r.restart.policy, policies, nil)},
			{name: "delay", decode: duration(&r.restart.delay)},
			{name: "max_delay", decode: duration(&r.restart.maxDelay)},
			{name: "reset_after", decode: duration(&r.restart.resetAfter)},
			{name: "max_failures", decode: count(&r.restart.maxFailures)},
			{name: "success_exit_codes", decode: exitCodes(&r.restart.success)},
			{name: "fatal_exit_codes", decode: exitCodes(&r.restart.fatal)},
		}},
		{name: "stop", sub: []field{
			{name: "timeout", decode: duration(&r.stop.timeout)},
			{name: "signal", decode: enum(&r.stop.signal, signals, normSignal)},
			{name: "window_timeout", decode: duration(&r.stop.windowTimeout)},
		}},
		{name: "log", sub: []field{
			{name: "dir", decode: str(&r.log.dir)},
			{name: "stdout", decode: str(&r.log.stdout)},
			{name: "stderr", decode: str(&r.log.stderr)},
			{name: "wrapper", decode: str(&r.log.wrapper)},
			{name: "max_size", decode: size(&r.log.maxSize)},
			{name: "max_files", decode: count(&r.log.maxFiles)},
			{name: "max_age", decode: duration(&r.log.maxAge)},
			{name: "compress", decode: boolean(&r.log.compress)},
			{name: "timestamps", decode: boolean(&r.log.timestamps)},
		}},
		{name: "service", sub: []field{
			{name: "start_mode", decode: enum(&r.service.startMode, startModes, nil)},
			{name: "dependencies", decode: strList(&r.service.dependencies)},
			{name: "account", decode: str(&r.service.account)},
			{name: "password_env", decode: str(&r.service.passwordEnv)},
			{name: "recovery", decode: durationList(&r.service.recovery)},
			{name: "recovery_reset", decode: duration(&r.service.recoveryReset)},
			{name: "user", decode: str(&r.service.user)},
			{name: "group", decode: str(&r.service.group)},
			{name: "capabilities", decode: strList(&r.service.capabilities)},
		}},
	}, checkFields(r)...)
}

// normSignal accepts TERM, term, SIGTERM and sigterm alike.
func normSignal(s string) string {
	return strings.TrimPrefix(strings.ToUpper(s), "SIG")
}

// knownKeys returns every valid dotted key (e.g. "restart.delay",
// "hooks.pre_start.command") in schema order; the keys of list items are
// written with [] (wait_for[].tcp).
func knownKeys() []string {
	// A sync.Once rather than a sync.OnceValue variable: the variable's
	// initializer would refer to itself through fields and the decoder
	// (an initialization cycle).
	keysOnce.Do(func() {
		var walk func(prefix string, fs []field)
		walk = func(prefix string, fs []field) {
			for _, f := range fs {
				key := joinKey(prefix, f.name)
				allKeys = append(allKeys, key)
				walk(key, f.sub)
				walk(key+"[]", f.items)
			}
		}
		walk("", fields(&raw{}))
	})
	return allKeys
}

var (
	keysOnce sync.Once
	allKeys  []string // see knownKeys
)
