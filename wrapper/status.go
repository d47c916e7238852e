package wrapper

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// ownStart is this process's start time as the status file records it;
// it never changes, so it is read once.
var ownStart = sync.OnceValue(func() uint64 {
	start, _ := statusfile.ProcessStart(os.Getpid())
	return start
})

// newStatusFile converts a supervisor snapshot into what the wrapper
// publishes and `wrapper status` shows.
func newStatusFile(cfg *config.Config, st supervisor.Status, now time.Time) statusfile.File {
	f := statusfile.File{
		Service: cfg.Name, WrapperPID: os.Getpid(), WrapperStart: ownStart(), Config: cfg.File,
		State: string(st.State), PID: st.PID, Restarts: st.Restarts, Failures: st.Failures,
		Logs:    statusfile.Logs{Stdout: cfg.Log.Stdout, Stderr: cfg.Log.Stderr, Wrapper: cfg.Log.Wrapper},
		Updated: now,
		Health:  st.Health, HealthFailures: st.HealthFailures, Waiting: st.Waiting,
		LastRestartCause: st.LastRestartCause,
	}
	if !st.Started.IsZero() {
		f.Started = &st.Started
	}
	if !st.NextStart.IsZero() {
		f.NextStart = &st.NextStart
	}
	if !st.NextScheduledRestart.IsZero() {
		f.NextScheduledRestart = &st.NextScheduledRestart
	}
	if b := st.LastLimit; b != nil {
		f.LastLimit = &statusfile.Limit{Breach: b.String(), At: b.At}
	}
	if r := st.LastStop; r != nil {
		f.LastStop = &statusfile.Stop{Step: r.Step, By: r.By, After: r.After.Round(time.Millisecond).String(),
			Meaning: r.String(), At: r.At}
	}
	if e := st.LastExit; e != nil {
		f.LastExit = &statusfile.Exit{Code: e.Code, Signal: e.Signal, Meaning: statusfile.DescribeExit(e.Code, e.Signal),
			At: e.At, Uptime: e.Uptime.Round(time.Millisecond).String()}
		if e.Err != nil {
			f.LastExit.Error = e.Err.Error()
			f.LastExit.Meaning = "failed to start"
		}
	}
	return f
}

// serviceReady reports whether the service counts as started for the
// service manager: the child runs and, when a health check is configured,
// reports healthy. Until then `systemctl start` waits.
func serviceReady(st supervisor.Status) bool {
	return st.State == supervisor.StateRunning && (st.Health == "" || st.Health == supervisor.HealthHealthy)
}

// registryReport is the wrapper's verdict for the registry's TTL check, so
// that the registry sees what the wrapper sees: a child that is starting,
// waiting for wait_for or not yet through its first health check is a
// warning; a running child that is healthy (or has no health check)
// passes; anything else (unhealthy, backing off, stopping, stopped, exited,
// gave up) is critical, as no traffic should go there.
func registryReport(st supervisor.Status) registry.Report {
	rep := registry.Report{Note: statusText(st), State: string(st.State), Health: st.Health, Restarts: st.Restarts}
	switch {
	case st.State == supervisor.StateRunning && st.Health == supervisor.HealthUnhealthy:
		rep.Status = registry.Critical
	case st.State == supervisor.StateRunning && st.Health == supervisor.HealthStarting:
		rep.Status = registry.Warning
	case st.State == supervisor.StateRunning:
		rep.Status = registry.Passing
	case st.State == supervisor.StateStarting || st.State == supervisor.StateWaiting:
		rep.Status = registry.Warning
	default:
		rep.Status = registry.Critical
	}
	if st.State == supervisor.StateRunning {
		rep.Started = st.Started
	}
	return rep
}

// statusText describes st in one line for the service manager (systemd's
// STATUS=, shown by `systemctl status`).
func statusText(st supervisor.Status) string {
	restarts := ""
	if st.Restarts > 0 {
		restarts = fmt.Sprintf(", %d restarts", st.Restarts)
	}
	switch st.State {
	case supervisor.StateWaiting:
		return "waiting for " + st.Waiting
	case supervisor.StateStarting:
		return "starting the child"
	case supervisor.StateRunning:
		health, scheduled := "", ""
		if st.Health != "" {
			health = ", " + st.Health
		}
		if !st.NextScheduledRestart.IsZero() {
			scheduled = ", scheduled restart " + st.NextScheduledRestart.Format("2006-01-02 15:04 MST")
		}
		return fmt.Sprintf("child running, pid %d%s%s%s", st.PID, health, restarts, scheduled)
	case supervisor.StateBackoff:
		wait := ""
		if !st.NextStart.IsZero() {
			wait = " in " + time.Until(st.NextStart).Round(time.Second).String()
		}
		return fmt.Sprintf("child %s; restarting%s (%d consecutive failures)", lastExit(st), wait, st.Failures)
	case supervisor.StateStopping:
		return "stopping the child"
	case supervisor.StateStopped:
		return "stopped"
	case supervisor.StateGaveUp:
		return fmt.Sprintf("gave up after %d consecutive failures; child %s", st.Failures, lastExit(st))
	case supervisor.StateExited:
		return fmt.Sprintf("child %s; not restarted", lastExit(st))
	}
	return string(st.State)
}

// lastExit describes the child's last exit for statusText: the limit it
// was stopped for, when it was.
func lastExit(st supervisor.Status) string {
	if b := st.LastLimit; b != nil && !b.At.Before(st.Started) {
		return "stopped over its limit (" + b.String() + ")"
	}
	if st.LastExit == nil {
		return "exited"
	}
	return st.LastExit.String()
}
