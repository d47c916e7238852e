package wrapper

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"golang.org/x/sys/windows/svc"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/scm"
)

// Wait hints reported to the SCM. Start is quick: the config is loaded and
// the child launched in the background; stop waits for the stop ladder.
const (
	startWaitHint = 10 * time.Second
	stopSlack     = 5 * time.Second // added to the stop ladder's own timeouts
)

// serviceConfigFlag parses the service's binPath arguments:
// [run|service] [--config FILE].
func serviceConfigFlag(args []string) (string, error) {
	if len(args) > 0 && (args[0] == "run" || args[0] == "service") {
		args = args[1:]
	}
	fs := newFlagSet("service", "", io.Discard)
	path := fs.String("config", "", "")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return *path, nil
}

// loadServiceConfig loads the YAML for the service named by the SCM: the
// explicit path, else <exe-name>.yaml or wrapper.yaml beside the executable
// (never the working directory, which is System32 for a service).
func loadServiceConfig(path, name string) (*config.Config, error) {
	exe, err := executable()
	if err != nil {
		return nil, err
	}
	if path == "" {
		if path, err = config.Locate(exe); err != nil {
			return nil, err
		}
	}
	opts := configOptions(exe)
	if name != "" {
		opts.DefaultName = name
	}
	return config.Load(path, opts)
}

// serviceHandler is the SCM handler (svc.Handler). Its dependencies are
// fields so that tests drive Execute through its channels with no SCM.
type serviceHandler struct {
	configPath string
	load       func(path, name string) (*config.Config, error)
	run        func(ctx context.Context, cfg *config.Config, o hostOptions) int
	openEvents func(name string) (scm.EventWriter, func())
	ask        func(name, cmd string) (control.Response, error) // control requests; nil = askWrapper
	code       int                                              // the wrapper exit code Execute ended with
}

// Execute follows the x/sys service model: StartPending, start the work in a
// goroutine, Running once it is ready, then one select loop over the work's
// end and the SCM's requests. args are the service's name and its start
// arguments (`sc start NAME a b`).
func (h *serviceHandler) Execute(args []string, r <-chan svc.ChangeRequest, s chan<- svc.Status) (bool, uint32) {
	s <- svc.Status{State: svc.StartPending, WaitHint: ms(startWaitHint)}
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	events, closeEvents := h.openEvents(name)
	defer closeEvents()
	elog := slog.New(scm.NewEventHandler(events, slog.LevelInfo)).With("service", name)
	cfg, err := h.load(h.configPath, name)
	if err != nil {
		elog.Error("cannot start: invalid configuration", "err", err)
		return h.finish(ExitUsage)
	}
	if name != "" && cfg.Name != name {
		elog.Warn("the YAML's name differs from the service's name", "yaml_name", cfg.Name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	ready := make(chan struct{})
	o := hostOptions{extra: scm.NewEventHandler(events, slog.LevelInfo), ready: func() { close(ready) },
		startArgs: startArgs(cfg, args, elog)}
	go func() { done <- h.run(ctx, cfg, o) }()
	// RUNNING only once the host holds its log files and control endpoint
	// (milliseconds): a log directory it cannot create or write then fails
	// the start, which sc start and wrapper start report, rather than
	// stopping the service right after they said it runs. The host has
	// logged why to the Event Log already.
	// Meanwhile the SCM may interrogate, and a slow start (a log directory
	// on a network share) shows progress.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	checkpoint := uint32(0)
starting:
	for {
		select {
		case <-ready:
			break starting
		case code := <-done:
			select {
			case <-ready: // ready, then ended at once: RUNNING, then the end as usual
				done <- code
				break starting
			default:
			}
			elog.Error("cannot start: the wrapper ended before its child started", "exit_code", code)
			return h.finish(code)
		case c := <-r:
			if c.Cmd == svc.Interrogate {
				s <- c.CurrentStatus
			}
		case <-tick.C:
			checkpoint++
			s <- svc.Status{State: svc.StartPending, WaitHint: ms(startWaitHint), CheckPoint: checkpoint}
		}
	}
	tick.Stop()
	s <- svc.Status{State: svc.Running,
		Accepts: svc.AcceptStop | svc.AcceptShutdown | svc.AcceptPreShutdown | svc.AcceptParamChange}
	elog.Info("service running", "config", cfg.File)
	for {
		select {
		case code := <-done:
			if code != ExitOK {
				elog.Error("service stopping: the supervisor ended", "exit_code", code)
			}
			return h.finish(code)
		case c := <-r:
			switch c.Cmd {
			case svc.Interrogate:
				s <- c.CurrentStatus
			case svc.ParamChange: // sc control NAME paramchange: reload the YAML
				go h.reload(cfg, elog)
			case svc.Stop, svc.Shutdown, svc.PreShutdown:
				cancel()
				hint := stopBudget(cfg)
				code := waitStopped(done, r, s, hint)
				elog.Info("service stopped", "on", cmdName(c.Cmd))
				return h.finish(code)
			}
		}
	}
}

// startArgs returns the start arguments the child gets: all of them with
// pass_start_args, else none. Only their number is logged: they may hold
// what should not land in the Event Log.
func startArgs(cfg *config.Config, args []string, elog *slog.Logger) []string {
	switch {
	case len(args) == 0:
		return nil
	case !cfg.PassStartArgs:
		elog.Warn("start arguments ignored: pass_start_args is false", "count", len(args))
		return nil
	}
	elog.Info("start arguments passed to the child", "count", len(args))
	return args
}

// reload asks the running host to reload through its control pipe, the
// same path as `wrapper reload`. The host writes the outcome to the Event
// Log (applied, refused or failed); only a pipe that cannot be asked is
// this handler's to report.
func (h *serviceHandler) reload(cfg *config.Config, elog *slog.Logger) {
	ask := h.ask
	if ask == nil {
		ask = askWrapper
	}
	if _, err := ask(cfg.Name, "reload"); err != nil {
		elog.Error("reload on paramchange failed", "err", err)
	}
}

// stopBudget is the longest a graceful stop may take with cfg: the
// deregistration from the registry, the pre_stop hook, Ctrl-C's wait and
// WM_CLOSE's wait (or the stop steps' waits), the post_stop hook, plus
// slack for draining output and exiting. It is the StopPending wait hint.
func stopBudget(cfg *config.Config) time.Duration {
	d := cfg.Stop.Timeout + cfg.Stop.WindowTimeout + stopSlack
	if len(cfg.Stop.Steps) > 0 {
		d = cfg.Stop.StepsTimeout() + stopSlack
	}
	if cfg.Registry.Consul.Enabled {
		d += deregisterTimeout
	}
	if cfg.Hooks.PreStop.Command != nil {
		d += cfg.Hooks.PreStop.Timeout
	}
	if cfg.Hooks.PostStop.Command != nil {
		d += cfg.Hooks.PostStop.Timeout
	}
	return d
}

// finish records code and turns it into Execute's results (scmExit).
func (h *serviceHandler) finish(code int) (bool, uint32) {
	h.code = code
	return scmExit(code)
}

// waitStopped reports StopPending, with a checkpoint every second so the SCM
// sees progress, until the supervisor is done; it keeps answering
// Interrogate meanwhile.
func waitStopped(done <-chan int, r <-chan svc.ChangeRequest, s chan<- svc.Status, hint time.Duration) int {
	st := svc.Status{State: svc.StopPending, WaitHint: ms(hint)}
	s <- st
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case code := <-done:
			return code
		case <-tick.C:
			st.CheckPoint++
			s <- st
		case c := <-r:
			if c.Cmd == svc.Interrogate {
				s <- st
			}
		}
	}
}

// cmdName names a stop-like SCM command for the log.
func cmdName(c svc.Cmd) string {
	switch c {
	case svc.Stop:
		return "stop"
	case svc.Shutdown:
		return "shutdown"
	case svc.PreShutdown:
		return "preshutdown"
	}
	return fmt.Sprintf("control %d", c)
}

// ms converts d to whole milliseconds for SCM wait hints.
func ms(d time.Duration) uint32 { return uint32(d / time.Millisecond) }
