package wrapper

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/httpapi"
	"github.com/wrapper-dev/wrapper/internal/memtrim"
	"github.com/wrapper-dev/wrapper/internal/metrics"
	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/starttrace"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
	"github.com/wrapper-dev/wrapper/internal/watch"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// deregisterTimeout bounds the deregistration that precedes a stop: an
// agent that does not answer must not hold the child's stop for long (the
// check turns critical within its TTL anyway).
const deregisterTimeout = 2 * time.Second

// settleAfter is how long a child must run before the wrapper gives back
// the memory that start-up used (see internal/memtrim): long enough that a
// crash loop or a start-up burst never pays for the pages coming back,
// short enough that a service's idle footprint shows it soon. It and
// releaseMemory are variables for the tests.
var (
	settleAfter   = 5 * time.Second
	releaseMemory = memtrim.Release
)

// minProcs is the fewest processors (GOMAXPROCS) a host runs Go code on.
// The pumps read and write outside Go's poller, each keeping its P
// through the system call. With stdout and stderr both busy on a machine
// of two CPUs no P is idle, and the runtime's sysmon takes the pumps' Ps
// away from their system calls on every tick (retake, runtime/proc.go:
// when no P is idle, after one tick); each pump must then find a P again
// after its read or write. A third P, idle, keeps sysmon off
// (docs/performance.md).
const minProcs = 3

// reserveProcs raises GOMAXPROCS to minProcs where it is lower. A larger
// default is left alone, and with it the runtime's updates of the default
// when the CPU limit changes, which setting GOMAXPROCS ends.
func reserveProcs() {
	if runtime.GOMAXPROCS(0) < minProcs {
		runtime.GOMAXPROCS(minProcs)
	}
}

// host is one running wrapper: the supervisor, its log files and the
// configuration they were made from. Control requests, reload signals and
// the config watcher reach the supervisor through it.
type host struct {
	exe    string
	out    *outputs
	logger *slog.Logger
	sup    *supervisor.Supervisor
	status *statusfile.Publisher
	reg    *registry.Registrar // nil without registry.consul
	ctx    context.Context
	// history counts restarts by reason and keeps the last hour for the
	// page and /metrics; nil unless the http listener is on.
	history   *metrics.Recorder
	startArgs []string // hostOptions.startArgs
	settle    *memtrim.Settler

	reloading sync.Mutex                    // serialises reloads
	cfg       atomic.Pointer[config.Config] // the configuration in force
}

// hostOptions is what the caller of runHost adds to the configuration.
type hostOptions struct {
	// console and extra, when not nil, also get the wrapper's events:
	// `wrapper run` passes stderr, the Windows service an Event Log handler.
	console io.Writer
	extra   slog.Handler
	// ready, when not nil, is called once the host holds its control
	// endpoint and its log files, just before the first child starts; a
	// host that fails before returns without calling it (the service
	// reports RUNNING on ready: such a failure is a failed start).
	ready func()
	// startArgs follow the child's arguments on every start, reloads
	// included: the service's start arguments with pass_start_args.
	startArgs []string
}

// runHost supervises the child described by cfg until ctx is cancelled or
// the supervisor finishes, and returns the exit code. The wrapper's events go
// to its own log file and to o's console and extra handler.
func runHost(ctx context.Context, cfg *config.Config, o hostOptions) int {
	reserveProcs()
	early := newLogger(nil, o.console, o.extra) // until the log file is open
	exe, err := executable()
	if err != nil {
		early.Error("cannot start", "err", err)
		return ExitError
	}
	// A user the wrapper cannot switch to: refused before anything is made.
	acct, err := childAccount(cfg)
	if err != nil {
		early.Error("cannot start", "err", err)
		return ExitUsage
	}
	// One wrapper per service: claim the control endpoint before touching
	// the logs, so a refused second wrapper never writes (or rotates) the
	// running one's files.
	if err := os.MkdirAll(cfg.Log.Dir, 0o755); err != nil {
		early.Error("cannot create the log directory", "err", err)
		return ExitError
	}
	// A squatter (a live process at the endpoint, or its directory taken by
	// another account) stops the start too: it would answer in the
	// wrapper's place. The error names the process or the account.
	ctl, ctlErr := control.Listen(cfg.Name)
	starttrace.Mark("control")
	if errors.Is(ctlErr, control.ErrAlreadyRunning) || errors.Is(ctlErr, control.ErrUnsafe) {
		early.Error("cannot start", "err", ctlErr)
		return ExitError
	}
	if ctl != nil {
		defer func() {
			if ctl != nil { // not served: an error path below
				ctl.Close()
			}
		}()
	}
	out, err := openOutputs(cfg)
	if err != nil {
		early.Error("cannot open the logs", "err", err)
		return ExitError
	}
	defer out.Close()
	starttrace.Mark("logs")
	stopAsked, release := stopClock(ctx) // the stop budget counts from the request
	defer release()
	// Goroutines tied to this host (watcher, signal reloads) end with it,
	// also when the supervisor finishes on its own.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h := &host{exe: exe, out: out, ctx: ctx, status: statusfile.NewPublisher(statusPath(cfg), func(f *statusfile.File) { f.StderrTail = out.stderr.Tail() }),
		logger: newLogger(out.wrapper, o.console, o.extra).With("service", cfg.Name), startArgs: o.startArgs}
	h.cfg.Store(cfg)
	h.settle = memtrim.NewSettler(settleAfter, releaseMemory, func(err error) { h.logger.Debug("cannot give memory back", "err", err) })
	defer h.settle.Stop()
	for _, f := range out.all {
		// Links replaced in the log directory, compression and pruning
		// failures: the files report them once the wrapper log exists.
		f.SetLogger(h.logger)
	}
	defer h.status.Close()
	if ctlErr != nil {
		h.logger.Warn("no control endpoint: status falls back to the status file; restart-child, rotate and reload are unavailable", "err", ctlErr)
	}
	h.startRegistry(cfg)
	defer h.closeRegistry()
	opts := h.supervisorOptions(cfg, acct)
	onStatus, stopNotify := notifyServiceManager(ctx, h.onStatus, h.logger) // Type=notify: READY=1, STATUS=, STOPPING=1
	defer stopNotify()
	opts.OnStatus = onStatus
	if cfg.HTTP.Enabled() {
		h.history = metrics.NewRecorder()
	}
	if h.sup, err = supervisor.New(opts); err != nil {
		h.logger.Error("cannot supervise", "err", err)
		if errors.Is(err, supervisor.ErrCannotApply) {
			return ExitUsage // a priority, affinity or account this host cannot apply
		}
		return ExitError
	}
	if ctl != nil {
		defer control.Serve(ctl, h.control, h.logger).Close()
		ctl = nil // the server closes it
	}
	if cfg.HTTP.Enabled() {
		srv, err := h.startHTTP(cfg)
		if err != nil {
			h.logger.Error("cannot start the http listener", "err", err)
			return ExitError
		}
		defer srv.Close()
		go h.history.Run(ctx, h.sup.Usage)
	}
	stopSignals := h.reloadOnSignal(ctx)
	defer stopSignals()
	if cfg.Watch {
		go watch.File(ctx, cfg.File, func() {
			h.logger.Info("configuration file changed, reloading", "config", cfg.File)
			_, _ = h.reload() // the outcome is logged
		}, func(err error) {
			h.logger.Warn("cannot watch the configuration for changes; polling it instead", "err", err)
		})
	}
	starttrace.Mark("host")
	h.logger.Info("wrapper started", "version", version(), "config", cfg.File, "pid", os.Getpid())
	if o.ready != nil {
		o.ready()
	}
	code := exitCode(h.sup.Run(h.drainFirst(ctx)), h.logger)
	starttrace.Mark("supervisor-done")
	h.closeRegistry()
	for _, f := range out.all {
		if n := f.Dropped(); n > 0 {
			h.logger.Warn("log bytes dropped", "file", f.Path(), "bytes", n)
		}
	}
	out.finishBackups(h.config(), stopAsked().Add(exitWorkBudget(h.config())), h.logger)
	h.logger.Info("wrapper exiting", "code", code)
	return code
}

// onStatus publishes every supervisor state change (called from the
// supervisor's loop: it must not block, and neither does the registrar's
// Report).
func (h *host) onStatus(st supervisor.Status) {
	if h.history != nil {
		h.history.Observe(st)
	}
	h.status.Update(newStatusFile(h.config(), st, time.Now()))
	if h.reg != nil {
		h.reg.Report(registryReport(st))
	}
	if st.State == supervisor.StateRunning {
		h.settle.Observe(st.PID)
	} else {
		h.settle.Observe(0)
	}
}

// startRegistry starts registering the service when registry.consul is
// set. It never fails the start: a registry that cannot be used is a
// warning, and the child runs regardless.
func (h *host) startRegistry(cfg *config.Config) {
	if !cfg.Registry.Consul.Enabled {
		return
	}
	reg, err := registry.Start(registryOptions(cfg, h.logger))
	if err != nil {
		h.logger.Warn("no consul registration", "err", err)
		return
	}
	h.reg = reg
}

// drainFirst returns the context the supervisor runs under: ctx itself,
// unless the service is registered. Then a stop deregisters the service
// first, so that the registry sends no more traffic while the child winds
// down, and only then cancels the supervisor's context.
func (h *host) drainFirst(ctx context.Context) context.Context {
	if h.reg == nil {
		return ctx
	}
	run, cancel := context.WithCancel(context.WithoutCancel(ctx))
	context.AfterFunc(ctx, func() {
		h.closeRegistry()
		cancel()
	})
	return run
}

// closeRegistry deregisters the service, once (the registrar logs how it
// went); later calls wait for the first.
func (h *host) closeRegistry() {
	if h.reg != nil {
		_ = h.reg.Close(deregisterTimeout)
	}
}

// startHTTP starts the http listener: the control API answered by
// h.control (the local endpoint's handler), the page, and /metrics when
// cfg.Metrics. Its settings are fixed for the wrapper's lifetime.
func (h *host) startHTTP(cfg *config.Config) (*httpapi.Server, error) {
	secret, err := httpapi.LoadToken(cfg.HTTP.TokenEnv, cfg.HTTP.TokenFile, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	o := httpapi.Options{Listen: cfg.HTTP.Listen, Secret: secret, HMACOnly: cfg.HTTP.HMAC,
		Service: cfg.Name, Version: version(), Control: h.control, Logs: h.tail,
		Ready: func() (bool, string) {
			st := h.sup.Status()
			return serviceReady(st), string(st.State)
		},
		History: h.history, Usage: h.sup.Usage, Logger: h.logger}
	if cfg.HTTP.TLS.Cert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.HTTP.TLS.Cert, cfg.HTTP.TLS.Key)
		if err != nil {
			return nil, fmt.Errorf("http.tls: %w", err)
		}
		o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if cfg.Metrics {
		m := metrics.New(metrics.Source{Version: version(), Status: h.sup.Status, Usage: h.sup.Usage,
			Health: func() bool { return h.config().Health.Enabled() }, Logs: h.out.streams(), Recorder: h.history})
		o.Metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer h.settle.Touch() // a scrape's pages are given back once it is over
			m.ServeHTTP(w, r)
		})
	}
	srv, err := httpapi.Listen(o)
	if err != nil {
		return nil, err
	}
	h.logger.Info("http listening", "addr", srv.Addr(), "tls", o.TLS != nil, "metrics", cfg.Metrics, "token", secret != nil)
	return srv, nil
}

// tail writes the last n lines of a log stream (stdout, stderr, wrapper):
// `wrapper logs -n N` and GET /logs share it.
func (h *host) tail(w io.Writer, stream string, n int) error {
	defer h.settle.Touch()
	l := h.config().Log
	path := map[string]string{"stdout": l.Stdout, "stderr": l.Stderr, "wrapper": l.Wrapper}[stream]
	return showLog(h.ctx, w, path, n, false)
}

// config returns the configuration in force. It takes no lock: the
// supervisor's loop calls onStatus, and so config, while a reload waits for
// that loop to accept an update.
func (h *host) config() *config.Config {
	return h.cfg.Load()
}

// control answers one control request.
func (h *host) control(req control.Request) control.Response {
	defer h.settle.Touch() // what serving it touched is given back later
	switch req.Cmd {
	case "status":
		st := h.liveStatus()
		return control.Response{OK: true, Status: &st}
	case "restart-child":
		if err := h.sup.RestartChild(h.ctx); err != nil {
			return control.Response{Error: err.Error()}
		}
		h.logger.Info("child restart requested")
		return control.Response{OK: true, Message: "child restarting"}
	case "rotate":
		var errs []error
		for _, f := range h.out.all {
			errs = append(errs, f.Rotate())
		}
		if err := errors.Join(errs...); err != nil {
			return control.Response{Error: err.Error()}
		}
		h.logger.Info("logs rotated on request")
		return control.Response{OK: true, Message: "logs rotated"}
	case "reload":
		msg, err := h.reload()
		var refused *refusedError
		if errors.As(err, &refused) || errors.Is(err, supervisor.ErrCannotApply) {
			return control.Response{Error: err.Error(), Refused: true}
		}
		if err != nil {
			return control.Response{Error: err.Error()}
		}
		return control.Response{OK: true, Message: msg}
	}
	return control.Response{Error: fmt.Sprintf("unknown request %q", req.Cmd)}
}

// liveStatus is the supervisor's current status with the child's last
// stderr lines and the dropped-byte counts.
func (h *host) liveStatus() statusfile.Live {
	cfg := h.config()
	st := statusfile.Live{File: newStatusFile(cfg, h.sup.Status(), time.Now())}
	st.StderrTail = h.out.stderr.Tail()
	for _, f := range h.out.all {
		if n := f.Dropped(); n > 0 {
			if st.DroppedBytes == nil {
				st.DroppedBytes = map[string]int64{}
			}
			st.DroppedBytes[f.Path()] = n
		}
	}
	return st
}
