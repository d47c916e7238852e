package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// statusReport is what `wrapper status --json` prints.
type statusReport struct {
	Service string `json:"service"`
	// ServiceState is the service manager's view (Windows SCM state,
	// Linux `systemctl is-active`), or empty where there is none.
	ServiceState string `json:"service_state,omitempty"`
	// Running reports whether the wrapper process that published Status is
	// alive.
	Running bool `json:"running"`
	// Live reports whether Status came from the running wrapper (control
	// endpoint) rather than from the status file it last wrote.
	Live bool `json:"live"`
	// Drift lists installed service settings that differ from the YAML
	// (apply them with `wrapper install`).
	Drift  []string         `json:"drift,omitempty"`
	Status *statusfile.Live `json:"status,omitempty"`
}

// cmdStatus prints the service's state and the supervisor's last published
// status.
func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", "status [--config FILE] [--json]", stdout)
	path := fs.String("config", "", configFlagUsage)
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	cfg, code := loadConfig(*path, stderr)
	if cfg == nil {
		return code
	}
	rep := statusReport{Service: cfg.Name, ServiceState: serviceState(cfg.Name), Drift: serviceDrift(cfg)}
	resp, err := askWrapper(cfg, "status")
	switch {
	case errors.Is(err, control.ErrImpostor):
		// Neither its answer nor the status file, which the same account
		// may have written, can be trusted.
		fmt.Fprintf(stderr, "wrapper status: %v\n", err)
		return ExitError
	case err == nil && resp.OK && resp.Status != nil:
		rep.Status, rep.Running, rep.Live = resp.Status, true, true
	default:
		if f, err := statusfile.Read(statusPath(cfg)); err == nil {
			rep.Status = &statusfile.Live{File: f}
			rep.Running = statusfile.Alive(f.WrapperPID, f.WrapperStart)
		}
	}
	if *asJSON {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		_, _ = stdout.Write(jsonTerminalSafe(b.Bytes()))
	} else {
		printStatus(stdout, rep, time.Now())
	}
	if !rep.Running {
		return ExitNotRunning
	}
	return ExitOK
}

// printStatus renders rep for a person. Every row goes through
// terminalSafe: its strings come from the status file, which an account
// weaker than the reader can write, and from the child's stderr.
func printStatus(w io.Writer, rep statusReport, now time.Time) {
	row := func(k, format string, args ...any) {
		if k != "" { // an empty label continues the row above
			k += ":"
		}
		fmt.Fprintf(w, "%-12s %s\n", k, terminalSafe(fmt.Sprintf(format, args...)))
	}
	row("service", "%s", rep.Service)
	if rep.ServiceState != "" {
		row(serviceStateLabel, "%s", rep.ServiceState)
	}
	for _, d := range rep.Drift {
		row("warning", "installed service differs: %s (run wrapper install)", d)
	}
	f := rep.Status
	if f == nil {
		row("wrapper", "not running (no status published yet)")
		return
	}
	if !rep.Running {
		row("wrapper", "not running (pid %d last reported %s at %s)", f.WrapperPID, f.State, f.Updated.Format(time.RFC3339))
	} else {
		row("wrapper", "running, pid %d", f.WrapperPID)
	}
	switch {
	case rep.Running && f.PID != 0 && f.Started != nil:
		row("child", "%s, pid %d, up %s", f.State, f.PID, now.Sub(*f.Started).Round(time.Second))
	default:
		row("child", "%s", f.State)
	}
	if f.Waiting != "" {
		row("waiting", "for %s", f.Waiting)
	}
	if f.Health != "" {
		row("health", "%s (consecutive failed checks: %d)", f.Health, f.HealthFailures)
	}
	restarts := fmt.Sprintf("%d (consecutive failures: %d)", f.Restarts, f.Failures)
	if f.LastRestartCause != "" && f.Restarts > 0 {
		restarts += ", last because of: " + f.LastRestartCause
	}
	row("restarts", "%s", restarts)
	if e := f.LastExit; e != nil {
		row("last exit", "%s after %s, at %s", e.Meaning, e.Uptime, e.At.Format(time.RFC3339))
		if e.Error != "" {
			row("", "%s", e.Error)
		}
	}
	if f.NextStart != nil && rep.Running {
		row("next start", "in %s (%s)", f.NextStart.Sub(now).Round(time.Millisecond), f.NextStart.Format(time.RFC3339))
	}
	if f.NextScheduledRestart != nil && rep.Running {
		row("scheduled", "restart in %s (%s)", f.NextScheduledRestart.Sub(now).Round(time.Second), f.NextScheduledRestart.Format(time.RFC3339))
	}
	for path, n := range f.DroppedBytes {
		row("dropped", "%d bytes lost to write errors in %s", n, path)
	}
	if len(f.StderrTail) > 0 {
		if len(f.StderrTail) == 1 {
			row("stderr", "last line:")
		} else {
			row("stderr", "last %d lines:", len(f.StderrTail))
		}
		for _, l := range f.StderrTail {
			fmt.Fprintf(w, "    %s\n", terminalSafe(l))
		}
	}
	row("logs", "%s", f.Logs.Stdout)
	if f.Logs.Stderr != f.Logs.Stdout {
		row("", "%s", f.Logs.Stderr)
	}
	row("", "%s", f.Logs.Wrapper)
}

// terminalSafe escapes what a terminal would act on rather than show, in
// C style: C0 controls and DEL as \xNN (an escape sequence can
// retitle the window, clear the screen or rewrite earlier rows; a line
// break could forge a row), with \t, \n and \r spelled so; bytes that are
// not UTF-8 as \xNN (a lone 0x9b is CSI to a terminal in 8-bit mode); and
// the C1 controls and bidirectional controls, which reorder or hide text,
// as \uNNNN. Backslashes stay as they are, so Windows paths read normally.
func terminalSafe(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || unsafeRune(r) })
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// unsafeRune reports the runes terminalSafe escapes: C0, DEL, C1, the line
// and paragraph separators and the bidirectional controls.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, 0x7f <= r && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, 0x2028 <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// jsonTerminalSafe escapes, in JSON that encoding/json wrote, the runes
// it leaves raw but a terminal acts on (DEL, C1 and bidirectional
// controls) as \uNNNN. encoding/json already escapes C0 controls and
// replaces invalid UTF-8; these runes can only stand inside strings, where
// \uNNNN means the same rune.
func jsonTerminalSafe(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x20 && unsafeRune(r) }) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r >= 0x20 && unsafeRune(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[:n])
		}
		b = b[n:]
	}
	return out.Bytes()
}
