package wrapper

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/metrics"
	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/logrotate"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// outputs holds the rotated log files of one wrapper process: one
// *logrotate.File per distinct path, opened once for the wrapper's lifetime
// and reused across child restarts (logrotate allows one File per path: on
// Windows a second handle would break the rename of a rotation).
type outputs struct {
	stdout, stderr, wrapper *logrotate.File
	all                     []*logrotate.File
}

// openOutputs opens the child's stdout, stderr and the wrapper's own log.
// stdout and stderr aimed at the same path share one File.
func openOutputs(cfg *config.Config) (*outputs, error) {
	o := &outputs{}
	byPath := map[string]*logrotate.File{}
	open := func(path string) (*logrotate.File, error) {
		if f, ok := byPath[path]; ok {
			return f, nil
		}
		l := logLimits(cfg, path == cfg.Log.Wrapper)
		f, err := logrotate.Open(logrotate.Options{
			Path:        path,
			MaxSize:     l.MaxSize,
			MaxFiles:    l.MaxFiles,
			MaxAge:      l.MaxAge,
			Compress:    l.Compress,
			Timestamps:  l.Timestamps,
			RotateEvery: l.RotateEvery,
			Encoding:    l.Encoding,
			KeepTail:    path == cfg.Log.Stderr, // status shows the child's last stderr lines
		})
		if err != nil {
			return nil, fmt.Errorf("open log %s: %w", path, err)
		}
		byPath[path] = f
		o.all = append(o.all, f)
		return f, nil
	}
	var err error
	if o.wrapper, err = open(cfg.Log.Wrapper); err != nil {
		return nil, err
	}
	if o.stdout, err = open(cfg.Log.Stdout); err != nil {
		o.Close()
		return nil, err
	}
	if o.stderr, err = open(cfg.Log.Stderr); err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

// finishBackups has every log file's mill compress the backups still
// plain, at normal priority, and waits until done or deadline: at a normal
// exit no backup is left plain. When the deadline passes first, Close
// abandons the compression in progress (no partial file is left) and the
// next start compresses the rest. With compression off it does nothing:
// an exit need not wait for pruning, which the next rotation or start does.
func (o *outputs) finishBackups(cfg *config.Config, deadline time.Time, logger *slog.Logger) {
	if cfg.Log.Compress == "" {
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	for _, f := range o.all {
		if err := f.FinishBackups(ctx); err != nil {
			logger.Warn("log backups left uncompressed: the stop budget ran out; the next start compresses them", "err", err)
			return
		}
	}
}

// stopClock returns a function that tells when ctx ended, or now if it has
// not: from then on the stop budget counts.
func stopClock(ctx context.Context) (since func() time.Time, release func() bool) {
	at := make(chan time.Time, 1)
	release = context.AfterFunc(ctx, func() { at <- time.Now() })
	return func() time.Time {
		select {
		case t := <-at:
			at <- t
			return t
		default:
			return time.Now()
		}
	}, release
}

// logLimits are the log settings of one file: the same for every file,
// except that the wrapper's own log (written by slog, in UTF-8) gets no
// timestamps of ours and is not decoded.
func logLimits(cfg *config.Config, wrapperLog bool) logrotate.Limits {
	l := logrotate.Limits{MaxSize: cfg.Log.MaxSize, MaxFiles: cfg.Log.MaxFiles, MaxAge: cfg.Log.MaxAge,
		Compress: logrotate.Compression(cfg.Log.Compress), Timestamps: cfg.Log.Timestamps, RotateEvery: cfg.Log.RotateEvery,
		Encoding: cfg.Log.Encoding}
	if wrapperLog {
		l.Timestamps, l.Encoding = false, ""
	}
	return l
}

// streams names the log files for the metrics: stdout, stderr, wrapper,
// or stdout+stderr for one file taking both.
func (o *outputs) streams() []metrics.Log {
	if o.stdout == o.stderr {
		return []metrics.Log{{Stream: "stdout+stderr", Counters: o.stdout}, {Stream: "wrapper", Counters: o.wrapper}}
	}
	return []metrics.Log{{Stream: "stdout", Counters: o.stdout}, {Stream: "stderr", Counters: o.stderr},
		{Stream: "wrapper", Counters: o.wrapper}}
}

// Close closes every file, reporting the first error.
func (o *outputs) Close() error {
	var first error
	for _, f := range o.all {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// newLogger returns the wrapper's event logger: its own rotated log file
// (when file is not nil), console (when not nil) for `wrapper run`, and
// extra (when not nil), such as the Windows Event Log.
func newLogger(file, console io.Writer, extra slog.Handler) *slog.Logger {
	var handlers []slog.Handler
	if file != nil {
		handlers = append(handlers, slog.NewTextHandler(file, nil))
	}
	if console != nil {
		handlers = append(handlers, slog.NewTextHandler(console, nil))
	}
	if extra != nil {
		handlers = append(handlers, extra)
	}
	return slog.New(slog.NewMultiHandler(handlers...))
}

// childEnv returns the child's environment: the wrapper's own (less
// NOTIFY_SOCKET, systemd's channel to the wrapper alone, and the API
// token's variable), then the YAML's env_file and env entries, then the
// WRAPPER_* variables (os/exec keeps the last value of a duplicated key,
// case-insensitively on Windows).
func childEnv(cfg *config.Config, exe string) []string {
	return append(cfg.Environ(withoutEnv(os.Environ(), envNotifySocket, cfg.HTTP.TokenEnv)),
		envServiceName+"="+cfg.Name,
		envConfig+"="+cfg.File,
		envExe+"="+exe,
	)
}

// supervisorOptions translates the configuration into the supervisor's terms.
// A health command gets the child's environment and working directory, as
// the hooks do (the supervisor gives them those itself).
func supervisorOptions(cfg *config.Config, exe string, out *outputs, logger *slog.Logger) supervisor.Options {
	env := childEnv(cfg, exe)
	probe := func(tcp, http, file, service string, command []string) (name string, p supervisor.Probe) {
		switch {
		case service != "":
			return "service " + service, func(ctx context.Context) error { return serviceRunning(ctx, service) }
		case tcp != "":
			return "tcp " + tcp, supervisor.TCPProbe(tcp)
		case http != "":
			return "http " + http, supervisor.HTTPProbe(http)
		case file != "":
			return "file " + file, supervisor.FileProbe(file)
		case len(command) > 0:
			return "command " + command[0], supervisor.CommandProbe(command, env, cfg.WorkingDirectory)
		}
		return "", nil
	}
	h := cfg.Health
	_, check := probe(h.TCP, h.HTTP, "", "", h.Command)
	waitFor := make([]supervisor.Condition, 0, len(cfg.WaitFor))
	for _, c := range cfg.WaitFor {
		name, p := probe(c.TCP, c.HTTP, c.File, c.Service, nil)
		waitFor = append(waitFor, supervisor.Condition{Name: name, Probe: p, Timeout: c.Timeout})
	}
	hook := func(h config.Hook) supervisor.Hook { return supervisor.Hook{Argv: h.Command, Timeout: h.Timeout} }
	return supervisor.Options{
		Path:            cfg.Executable,
		Args:            cfg.Arguments,
		Dir:             cfg.WorkingDirectory,
		Env:             env,
		Stdout:          out.stdout,
		Stderr:          out.stderr,
		ConsoleCodePage: uint32(cfg.ConsoleCodePage),
		Priority:        supervisor.Priority(cfg.Priority),
		Affinity:        cfg.Affinity,
		Restart: supervisor.RestartOptions{
			Policy:           supervisor.Policy(cfg.Restart.Policy),
			Delay:            cfg.Restart.Delay,
			MaxDelay:         cfg.Restart.MaxDelay,
			ResetAfter:       cfg.Restart.ResetAfter,
			MaxFailures:      cfg.Restart.MaxFailures,
			SuccessExitCodes: cfg.Restart.SuccessExitCodes,
			FatalExitCodes:   cfg.Restart.FatalExitCodes,
			OnExit:           exitActions(cfg.Restart.OnExit),
			Every:            cfg.Restart.Every,
			At:               timesOfDay(cfg.Restart.At),
		},
		Stdin: stdinOptions(cfg.Stdin),
		Stop:  stopOptions(cfg.Stop),
		Health: supervisor.HealthOptions{Check: check, Interval: h.Interval, Timeout: h.Timeout,
			StartPeriod: h.StartPeriod, Failures: h.Failures},
		WaitFor: waitFor,
		Hooks: supervisor.Hooks{PreStart: hook(cfg.Hooks.PreStart), PostStart: hook(cfg.Hooks.PostStart),
			PreStop: hook(cfg.Hooks.PreStop), PostStop: hook(cfg.Hooks.PostStop), OnGiveUp: hook(cfg.Hooks.OnGiveUp)},
		Heartbeat: supervisor.HeartbeatOptions{URL: cfg.Heartbeat.URL, Interval: cfg.Heartbeat.Interval,
			Timeout: cfg.Heartbeat.Timeout},
		Limits: supervisor.LimitOptions{Memory: cfg.Limits.Memory, CPU: cfg.Limits.CPU, For: cfg.Limits.For},
		Logger: logger,
	}
}

// stdinOptions translates stdin.
func stdinOptions(in config.Stdin) supervisor.Stdin {
	switch in.Mode {
	case config.StdinOpen:
		return supervisor.Stdin{Mode: supervisor.StdinOpen}
	case config.StdinFile:
		return supervisor.Stdin{Mode: supervisor.StdinFile, File: in.File}
	}
	return supervisor.Stdin{}
}

// stopOptions translates the stop section; the steps' kinds have the
// same names. No steps (nil) is the supervisor's default ladder.
func stopOptions(st config.Stop) supervisor.StopOptions {
	o := supervisor.StopOptions{Timeout: st.Timeout, Signal: st.Signal, WindowTimeout: st.WindowTimeout}
	for _, s := range st.Steps {
		o.Steps = append(o.Steps, supervisor.StopStep{Kind: supervisor.StepKind(s.Kind), Signal: s.Signal, URL: s.HTTP,
			Method: s.Method, Command: s.Command, Timeout: s.Timeout})
	}
	return o
}

// supervisorOptions translates cfg for the supervisor, with the start
// arguments after the configured ones and the child's account (see
// childAccount).
func (h *host) supervisorOptions(cfg *config.Config, acct *supervisor.Account) supervisor.Options {
	opts := supervisorOptions(cfg, h.exe, h.out, h.logger)
	if len(h.startArgs) > 0 {
		opts.Args = append(slices.Clone(opts.Args), h.startArgs...)
	}
	opts.Account = acct
	return opts
}

// exitActions translates restart.on_exit; the action names are the same.
func exitActions(m map[int]string) map[int]supervisor.ExitAction {
	out := make(map[int]supervisor.ExitAction, len(m))
	for code, a := range m {
		out[code] = supervisor.ExitAction(a)
	}
	return out
}

// timesOfDay translates restart.at.
func timesOfDay(at []config.TimeOfDay) []supervisor.TimeOfDay {
	out := make([]supervisor.TimeOfDay, len(at))
	for i, t := range at {
		out[i] = supervisor.TimeOfDay{Hour: t.Hour, Minute: t.Minute}
	}
	return out
}

// withoutEnv returns env without the entries named by names ("" names
// nothing); on Windows names match regardless of case, as there.
func withoutEnv(env []string, names ...string) []string {
	out := make([]string, 0, len(env))
	for _, e := range env {
		k, _, _ := strings.Cut(e, "=")
		if !slices.ContainsFunc(names, func(n string) bool {
			return n != "" && (n == k || (runtime.GOOS == "windows" && strings.EqualFold(n, k)))
		}) {
			out = append(out, e)
		}
	}
	return out
}

// registryOptions translates registry.consul into the registrar's terms,
// reading the ACL token from the variable token_env names. A variable that
// is not set is a warning, not an error: the registration is tried without
// the token (Consul then answers why it refuses), and the child runs.
func registryOptions(cfg *config.Config, logger *slog.Logger) registry.Options {
	c := cfg.Registry.Consul
	var token string
	if c.TokenEnv != "" {
		var ok bool
		if token, ok = os.LookupEnv(c.TokenEnv); !ok || token == "" {
			logger.Warn("registry.consul.token_env names a variable that is not set; registering without a token", "variable", c.TokenEnv)
		}
	}
	return registry.Options{
		Address: c.Address,
		Token:   token,
		Service: registry.Service{ID: cfg.Name, Name: c.Service, Port: c.Port, Tags: c.Tags, Meta: c.Meta,
			Version: version(), DeregisterCriticalAfter: c.DeregisterCriticalAfter},
		Initial: registry.Report{Status: registry.Warning, Note: "the wrapper is starting", State: string(supervisor.StateStarting)},
		Logger:  logger,
	}
}
