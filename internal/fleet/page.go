package fleet

import (
	"html/template"
	"io"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/internal/page"
)

// pageData is what the fleet page shows. Every string in it comes from
// the registry or another host's wrapper: html/template escapes it.
type pageData struct {
	Refresh  int       // seconds between reloads
	Now      time.Time // when the page was made
	At       time.Time // when the rows were read; zero when never
	CacheFor int       // seconds a reading is reused
	Rows     []pageRow
	Notes    []string
	Error    string // why the last reading failed
	Logout   bool   // offer the log-out button (a session cookie brought the browser)
}

const fleetBody = `{{define "title"}}fleet: {{len .Rows}} services{{end}}
{{define "body"}}
<h1>Fleet <span class="muted">{{len .Rows}} services</span></h1>
{{with .Error}}<p class="bad" id="error">The registry could not be read: {{.}}{{if not $.At.IsZero}}. Shown as read at {{clock $.At}}.{{end}}</p>{{end}}
{{if .Rows}}<table id="fleet">
<tr><th>host</th><th>service</th><th>state</th><th>health</th><th>restarts</th><th>uptime</th><th>source</th></tr>
{{range .Rows}}<tr class="row">
<td class="host">{{.Host}}</td>
<td class="service">{{if .Link}}<a href="{{.Link}}">{{.Service}}</a>{{else}}{{.Service}}{{end}}{{if ne .ID .Service}} <span class="muted">({{.ID}})</span>{{end}}</td>
<td class="state {{.Class}}">{{.State}}</td>
<td class="health">{{.Health}}</td>
<td class="restarts">{{.Restarts}}</td>
<td class="uptime">{{.Uptime}}</td>
<td class="source">{{.Source}}</td>
</tr>
{{end}}</table>
{{else if not .Error}}<p id="empty">No service is registered by a wrapper.</p>{{end}}
{{if .Notes}}<h2>Notes</h2>
<ul id="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p class="muted">wrapper fleet · read {{if .At.IsZero}}never{{else}}{{clock .At}}{{end}} (at most every {{.CacheFor}} s) · refreshes every {{.Refresh}} s{{if .Logout}} · <form method="post" action="/logout"><button>log out</button></form>{{end}}</p>
{{end}}`

var fleetPage = sync.OnceValues(func() (*template.Template, error) { return page.New("fleet", fleetBody) })

// renderPage writes the fleet page.
func renderPage(w io.Writer, d pageData) error {
	t, err := fleetPage()
	if err != nil {
		return err
	}
	return page.Render(w, t, d)
}
