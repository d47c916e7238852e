// Package config locates, strictly decodes, expands, defaults and validates
// the wrapper's YAML configuration.
//
// The package is pure: it reads the configuration file, the optional
// env_file and stats the executable and working directory, but never writes
// anything or starts processes. Every problem found is reported at once as
// an errors.Join of *Problem values, each printed as
// "file:line: key: message". The full YAML reference is docs/config.md.
package config

import "time"

// Restart policies accepted by restart.policy.
const (
	PolicyAlways    = "always"     // restart after every exit, successful or not
	PolicyOnFailure = "on-failure" // restart only after an exit code not in SuccessExitCodes
	PolicyNever     = "never"      // never restart
)

// Service start modes accepted by service.start_mode.
const (
	StartAuto        = "auto"         // start at boot
	StartDelayedAuto = "delayed-auto" // start shortly after boot (Windows delayed auto-start)
	StartManual      = "manual"       // start on demand only
	StartDisabled    = "disabled"     // cannot be started
)

// Options tunes how a configuration is loaded.
type Options struct {
	// DefaultName is the service name used when the YAML has no `name` key.
	// The wrapper passes its executable's base name without extension.
	// Empty means `name` is required.
	DefaultName string
	// LookupEnv reads the process environment for ${VAR} and %VAR%
	// expansion. Nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

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
	// Watch makes the wrapper reload this file when it changes, as
	// `wrapper reload` does. Default: false.
	Watch bool
}

// Restart is the restart policy of the supervised program.
type Restart struct {
	// Policy is PolicyAlways, PolicyOnFailure or PolicyNever.
	// Default: PolicyOnFailure.
	Policy string
	// Delay is the wait before the first restart; it doubles per
	// consecutive failure up to MaxDelay. Default: 1s; 0 allowed.
	Delay time.Duration
	// MaxDelay caps the backoff; always >= Delay. Default: the larger of
	// 1m and Delay.
	MaxDelay time.Duration
	// ResetAfter is how long a child must run to reset the failure count
	// and the backoff. Default: 1m.
	ResetAfter time.Duration
	// MaxFailures is the number of consecutive failures after which the
	// wrapper gives up; 0 means never give up. Default: 10.
	MaxFailures int
	// SuccessExitCodes are the exit codes that count as success.
	// Default: [0].
	SuccessExitCodes []int
	// FatalExitCodes are exit codes after which the child is never
	// restarted, whatever the policy. Disjoint from SuccessExitCodes.
	// Default: none (empty, non-nil).
	FatalExitCodes []int
}

// Stop describes how the child is asked to stop before it is killed.
type Stop struct {
	// Timeout is how long the child gets to exit after the stop request
	// before its process tree is killed. Default: 10s.
	Timeout time.Duration
	// Signal is the Unix stop signal without the SIG prefix: TERM, INT,
	// HUP, QUIT, USR1 or USR2. Default: TERM.
	Signal string
	// WindowTimeout is how long the Windows WM_CLOSE step waits before the
	// next step of the stop ladder. Default: 2s.
	WindowTimeout time.Duration
}

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
	// Compress gzips rotated files. Default: false.
	Compress bool
	// Timestamps prefixes every line of child output with a timestamp.
	// Default: false.
	Timestamps bool
}

// Service holds the settings used when installing the wrapper as a service.
type Service struct {
	// StartMode is StartAuto, StartDelayedAuto, StartManual or
	// StartDisabled. Default: StartAuto.
	StartMode string
	// Dependencies are services that must start first.
	// Default: none (empty, non-nil).
	Dependencies []string
	// Account is the account the service runs as; "" means the platform
	// default (NT SERVICE\<name> on Windows). Default: "".
	Account string
	// PasswordEnv names an environment variable that holds the account's
	// password at install time. Passwords never live in the YAML.
	// Default: "".
	PasswordEnv string
	// Recovery are the delays of the Windows service manager's restart
	// actions after the wrapper itself fails; the last one repeats.
	// Default: [10s, 1m, 5m].
	Recovery []time.Duration
	// RecoveryReset is how long without failures resets the service
	// manager's failure count. Default: 24h.
	RecoveryReset time.Duration
	// User is the systemd User= of the Linux unit. Default: "", which
	// `wrapper install` on Linux refuses: running as root must be asked
	// for by writing root.
	User string
	// Group is the systemd Group= of the Linux unit. Default: "" (the
	// user's primary group).
	Group string
	// Capabilities are the Linux capabilities (capabilities(7)) the systemd
	// unit grants the wrapper and its child as ambient capabilities and
	// limits its bounding set to, upper case with the CAP_ prefix
	// (CAP_NET_BIND_SERVICE), without repeats. Default: none (empty,
	// non-nil): no capability is granted and the bounding set is left alone.
	Capabilities []string
}

// Merged reports whether stdout and stderr go to the same file, which must
// then be opened once and shared (on Windows a second handle breaks rename
// on rotation).
func (l Log) Merged() bool {
	return samePath(l.Stdout, l.Stderr)
}
