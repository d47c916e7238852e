package wrapper

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/config"
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

// lastExit describes the child's last exit for statusText.
func lastExit(st supervisor.Status) string {
	if st.LastExit == nil {
		return "exited"
	}
	return st.LastExit.String()
}
