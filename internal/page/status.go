package page

import (
	"html/template"
	"io"
	"sync"
	"time"
)

// Status is what the per-wrapper page shows.
type Status struct {
	// Refresh is the page's reload interval in seconds.
	Refresh int
	// Now is when the page was made.
	Now time.Time
	// Version is the wrapper's version.
	Version string
	// Service is the service name.
	Service string
	// State is the supervisor's state (running, backoff, ...).
	State string
	// PID is the running child's process id; 0 when none runs.
	PID int
	// Started is when the current (or last) child started.
	Started time.Time
	// Health is "", starting, healthy or unhealthy; HealthFailures counts
	// consecutive failed checks.
	Health         string
	HealthFailures int
	// Waiting names what a start waits for.
	Waiting string
	// Restarts counts the restarts; ByReason splits them.
	Restarts int
	ByReason []ReasonCount
	// Recent are the last restarts, newest first.
	Recent []RecentRestart
	// LastExit describes the last exit ("exited with code 3 (...)"),
	// LastExitAt when it happened and LastExitUptime how long that child
	// ran; "" before the first exit.
	LastExit       string
	LastExitAt     time.Time
	LastExitUptime string
	// NextStart is when a child in backoff restarts.
	NextStart time.Time
	// Memory is the child tree's resident memory now; MemoryKnown is false
	// when it could not be read.
	Memory      int64
	MemoryKnown bool
	// RestartChart and MemoryChart are the last hour, from Bars and Line.
	RestartChart, MemoryChart template.HTML
	// StderrTail is the child's last stderr lines (escaped on output).
	StderrTail []string
	// Logout shows the log-out button (the page was reached with a
	// session cookie).
	Logout bool
}

// ReasonCount is one reason's restart count.
type ReasonCount struct {
	Reason string
	Count  int64
}

// RecentRestart is one restart in the list.
type RecentRestart struct {
	At     time.Time
	Reason string
}

// StateClass returns the CSS class of a state: ok, warn or bad.
func (s Status) StateClass() string {
	switch s.State {
	case "running":
		if s.Health == "unhealthy" {
			return "bad"
		}
		return "ok"
	case "backoff", "gave-up", "exited":
		return "bad"
	}
	return "warn"
}

const statusBody = `{{define "title"}}{{.Service}}: {{.State}}{{end}}
{{define "body"}}
<h1>{{.Service}} <span id="state" class="{{.StateClass}}">{{.State}}</span></h1>
<table id="summary">
<tr><th>child</th><td id="pid">{{if .PID}}pid {{.PID}}{{else}}not running{{end}}</td></tr>
{{if and .PID (not .Started.IsZero)}}<tr><th>uptime</th><td id="uptime">{{since .Started .Now}}</td></tr>{{end}}
{{with .Waiting}}<tr><th>waiting</th><td>for {{.}}</td></tr>{{end}}
{{if .Health}}<tr><th>health</th><td id="health" class="{{if eq .Health "healthy"}}ok{{else if eq .Health "unhealthy"}}bad{{else}}warn{{end}}">{{.Health}}{{if .HealthFailures}} ({{.HealthFailures}} failed checks in a row){{end}}</td></tr>{{end}}
<tr><th>restarts</th><td id="restarts">{{.Restarts}}{{if .Restarts}} —{{range .ByReason}}{{if .Count}} <span class="reason">{{.Reason}} {{.Count}}</span>{{end}}{{end}}{{end}}</td></tr>
{{if .LastExit}}<tr><th>last exit</th><td id="last-exit">{{.LastExit}}{{with .LastExitUptime}} after {{.}}{{end}}, {{clock .LastExitAt}}</td></tr>{{end}}
{{if not .NextStart.IsZero}}<tr><th>next start</th><td>in {{since .Now .NextStart}}</td></tr>{{end}}
{{if .MemoryKnown}}<tr><th>memory</th><td id="memory">{{bytes .Memory}} resident (process tree)</td></tr>{{end}}
</table>
<h2>Last hour</h2>
<div class="chart"><div>restarts per minute</div>{{.RestartChart}}</div>
<div class="chart"><div>memory, sampled each minute</div>{{.MemoryChart}}</div>
{{if .Recent}}<h2>Recent restarts</h2>
<table id="recent">{{range .Recent}}<tr><td>{{clock .At}}</td><td>{{.Reason}}</td></tr>{{end}}</table>{{end}}
<h2>stderr, last lines</h2>
<pre id="stderr">{{range .StderrTail}}{{.}}
{{else}}(nothing yet){{end}}</pre>
<p class="muted">wrapper {{.Version}} · {{clock .Now}} · refreshes every {{.Refresh}} s{{if .Logout}} · <form method="post" action="/logout"><button>log out</button></form>{{end}}</p>
{{end}}`

var statusPage = sync.OnceValues(func() (*template.Template, error) { return New("status", statusBody) })

// RenderStatus writes the per-wrapper status page.
func RenderStatus(w io.Writer, s Status) error {
	t, err := statusPage()
	if err != nil {
		return err
	}
	return Render(w, t, s)
}

const loginBody = `{{define "title"}}{{.Service}}: log in{{end}}
{{define "body"}}
<h1>{{.Service}}</h1>
{{with .Message}}<p class="bad" id="message">{{.}}</p>{{end}}
{{if .Form}}<form method="post" action="/login">
<label>API token <input type="password" name="token" autocomplete="current-password" autofocus></label>
<button>log in</button>
</form>
<p class="muted">{{with .TokenHint}}{{.}}{{else}}The token is the one named by http.token_env or http.token_file.{{end}} Logging in sets a session cookie (HttpOnly, SameSite=Strict) for {{.Lifetime}}.</p>
{{else}}<p>This wrapper accepts only signed requests: get a one-time login link with a signed <code>POST /login</code> (docs/fleet.md).</p>{{end}}
{{end}}`

var loginPage = sync.OnceValues(func() (*template.Template, error) { return New("login", loginBody) })

// Login is what the login page shows.
type Login struct {
	Refresh  int // always 0: a login form must not reload
	Service  string
	Message  string
	Form     bool   // offer the token form (false when only signed requests are accepted)
	Lifetime string // the session's lifetime, for people
	// TokenHint says where the token comes from; "" names the YAML's
	// http.token_env and http.token_file.
	TokenHint string
}

// RenderLogin writes the login page.
func RenderLogin(w io.Writer, l Login) error {
	t, err := loginPage()
	if err != nil {
		return err
	}
	return Render(w, t, l)
}
