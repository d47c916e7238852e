package wrapper

import (
	"fmt"
	"strings"
	"time"

	"github.com/wrapper-dev/wrapper/supervisor"
)

// envNotifySocket is where systemd tells a Type=notify service to send its
// readiness (sd_notify(3)). It is addressed to the wrapper, never to the
// child: the child does not inherit it (see childEnv).
const envNotifySocket = "NOTIFY_SOCKET"

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
		health := ""
		if st.Health != "" {
			health = ", " + st.Health
		}
		return fmt.Sprintf("child running, pid %d%s%s", st.PID, health, restarts)
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

// notifyState is what the wrapper has told the service manager so far.
type notifyState struct {
	ready, stopping bool
	status          string
}

// onStatus returns the sd_notify message for a state change ("" when there
// is nothing new) and the state after it. READY=1 is sent once, the first
// time serviceReady holds; later changes update STATUS= only.
func (n notifyState) onStatus(st supervisor.Status) (string, notifyState) {
	var lines []string
	if !n.ready && !n.stopping && serviceReady(st) {
		n.ready = true
		lines = append(lines, "READY=1")
	}
	if text := statusText(st); text != n.status {
		n.status = text
		lines = append(lines, "STATUS="+text)
	}
	return strings.Join(lines, "\n"), n
}

// onStop returns the message that tells the service manager the wrapper is
// shutting down on its request (STOPPING=1), "" when already said.
func (n notifyState) onStop() (string, notifyState) {
	if n.stopping {
		return "", n
	}
	n.stopping = true
	return "STOPPING=1", n
}

// withoutEnv returns env without the entries named name.
func withoutEnv(env []string, name string) []string {
	out := make([]string, 0, len(env))
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}
