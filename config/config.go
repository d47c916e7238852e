// Package config locates, strictly decodes, expands, defaults and validates
// the wrapper's YAML configuration.
//
// The package is pure: it reads the configuration file, the optional
// env_file and stats the executable and working directory, but never writes
// anything or starts processes. Every problem found is reported at once as
// an errors.Join of *Problem values, each printed as
// "file:line: key: message". The full YAML reference is docs/config.md.
package config

// How the package is laid out. Each YAML section has one file holding its
// exported type, its raw form (the values as written, with their lines), its
// entry in the field table and its resolver (defaults, expansion, checks):
// section_top.go (the top-level keys and Config; priority and affinity in
// section_top_priority.go, user and group in section_top_user.go), section_restart.go,
// section_stop.go, section_log.go, section_service.go, section_health.go,
// section_waitfor.go, section_hooks.go, section_heartbeat.go,
// section_limits.go, section_http.go,
// section_metrics.go and section_registry.go. Adding a key touches its section
// file, schema/wrapper.schema.json, docs/config.md and
// examples/complete.yaml; tests fail until they agree. The shared machinery is apart: load.go (Locate, Load,
// Parse), decode.go (the YAML walk), field.go (the field table), leaves.go
// and units.go (leaf types: strings, counts, durations, sizes), resolve.go
// (resolver helpers), expand.go, env.go, paths.go and problem.go.

// Options tunes how a configuration is loaded.
type Options struct {
	// DefaultName is the service name used when the YAML has no `name` key.
	// The wrapper passes its executable's base name without extension.
	// Empty means `name` is required.
	DefaultName string
	// LookupEnv reads the process environment for ${VAR} and %VAR%
	// expansion. Nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// WrapperExe is the absolute path of the wrapper executable, which
	// log.dir must not hold (the service account gets write access to the
	// log directory). Empty skips that one check.
	WrapperExe string
}
