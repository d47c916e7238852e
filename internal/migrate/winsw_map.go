package migrate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// WinSW's defaults, where they differ from the wrapper's.
const (
	winswStopTimeout  = 15 * time.Second // <stoptimeout>
	winswResetFailure = 24 * time.Hour   // <resetfailure>
	winswSizeKB       = 10 * 1024        // <sizeThreshold>, in KB
	winswKeepFiles    = 8                // <keepFiles>
)

// action is one <onfailure>.
type action struct {
	kind  string // restart, none or reboot
	delay time.Duration
}

// failure maps <onfailure> and <resetfailure>. WinSW's failure actions are
// the SCM's: WinSW stops with an error when the program fails, and the SCM
// restarts the service after each listed delay, the last one repeating. The
// wrapper restarts the program itself, so the sequence becomes the restart
// policy, and the SCM's recovery of the wrapper keeps the same delays.
func (m *winsw) failure() {
	var acts []action
	for _, el := range m.all("onfailure") {
		kind, _ := el.attr("action")
		if kind != "restart" && kind != "none" && kind != "reboot" {
			m.s.unmapped("<onfailure action=%q>: not a WinSW action (restart, none, reboot)", kind)
			continue
		}
		a := action{kind: kind}
		if d, ok := el.attr("delay"); ok {
			var err error
			if a.delay, err = duration(d); err != nil {
				m.s.unmapped("<onfailure delay=%q>: %v; 0 is used", d, err)
			}
		}
		acts = append(acts, a)
	}
	reset, hasReset := m.timeSpan("resetfailure")
	if hasReset {
		m.s.SCM.RecoveryReset = ptr(reset)
	} else {
		reset = winswResetFailure
	}
	k := slices.IndexFunc(acts, func(a action) bool { return a.kind != "restart" })
	if k < 0 {
		k = len(acts)
	}
	if k < len(acts) && acts[k].kind == "reboot" {
		m.s.unmapped("<onfailure action=\"reboot\">: the wrapper does not reboot Windows; it gives up instead")
	}
	r := &m.s.Restart
	if k == 0 {
		r.Policy = "never"
		m.s.SCM.Recovery = []time.Duration{}
		if len(acts) == 0 {
			m.s.note("restart: WinSW restarted the program only through <onfailure>, and none is given: restart.policy never, service.recovery []")
		} else {
			m.s.note("restart: the first <onfailure> is %s: restart.policy never, service.recovery []", acts[0].kind)
		}
		return
	}
	delays := make([]time.Duration, k)
	for i, a := range acts[:k] {
		delays[i] = a.delay
	}
	r.Policy, r.Delay, r.ResetAfter = "on-failure", ptr(delays[0]), ptr(reset)
	if longest := slices.Max(delays); longest > delays[0] {
		r.MaxDelay = ptr(longest)
		m.s.note("restart: WinSW waited %s after successive failures; the wrapper waits restart.delay, doubling up to restart.max_delay", formatDurations(delays))
	}
	if k < len(acts) {
		r.MaxFailures = ptr(k + 1)
		m.s.SCM.Recovery = []time.Duration{}
		m.s.note("restart: after %d restarts WinSW's next <onfailure> is %s: the wrapper gives up at failure %d "+
			"(restart.max_failures) and service.recovery [] leaves the service stopped", k, acts[k].kind, k+1)
		return
	}
	r.MaxFailures = ptr(0)
	m.s.SCM.Recovery = delays
}

// formatDurations spells a list of durations.
func formatDurations(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = formatDuration(d)
	}
	return strings.Join(s, ", ")
}

// stop maps <stoptimeout>, <stopparentprocessfirst> and the stop command
// (<stopexecutable> with <stoparguments> or <stopargument>).
func (m *winsw) stop() {
	timeout, ok := m.timeSpan("stoptimeout")
	if !ok {
		timeout = winswStopTimeout
	}
	m.s.Stop.Timeout = ptr(timeout)
	if el, ok := m.one("stopparentprocessfirst"); ok && strings.EqualFold(el.text(), "false") {
		m.s.unmapped("<stopparentprocessfirst>false: the wrapper asks the program to stop first, then ends its whole process tree")
	}
	var args []string
	switch {
	case len(m.els["stopargument"]) > 0:
		args = m.tagArgs("stopargument")
		m.used["stoparguments"] = true
	case len(m.els["stoparguments"]) > 0:
		args = m.lineArgs("stoparguments")
	}
	exe, hasExe := m.one("stopexecutable")
	switch {
	case args == nil && hasExe:
		m.s.note("<stopexecutable>: unused by WinSW without <stoparguments>; not imported")
		return
	case args == nil:
		return
	case m.s.Hooks.PreStop != nil:
		m.s.unmapped("<stoparguments>: hooks.pre_stop already runs <prestop>; the stop command is not imported")
		return
	}
	prog := exe.text()
	if !hasExe || prog == "" {
		prog = m.els["executable"][0].text()
	}
	cmd := []string{m.expand(strings.Trim(prog, `"`))}
	for _, a := range args {
		cmd = append(cmd, m.expand(a))
	}
	m.s.Hooks.PreStop = &Hook{Command: cmd, Timeout: ptr(timeout)}
	m.s.note("<stoparguments>: WinSW ran this command instead of Ctrl-C; the wrapper runs it as hooks.pre_stop, " +
		"then asks the program to stop (Ctrl-C, WM_CLOSE) and ends it after stop.timeout")
}

// hooks maps 3.x's <prestart>, <poststart>, <prestop> and <poststop>.
func (m *winsw) hooks() {
	found := false
	for _, h := range []struct {
		name string
		dst  **Hook
	}{{"prestart", &m.s.Hooks.PreStart}, {"poststart", &m.s.Hooks.PostStart}, {"prestop", &m.s.Hooks.PreStop}, {"poststop", &m.s.Hooks.PostStop}} {
		el, ok := m.one(h.name)
		if !ok {
			continue
		}
		c := childrenOf(el)
		exe, _ := c.take("executable")
		args, _ := c.take("arguments")
		for _, stream := range []string{"stdoutPath", "stderrPath"} {
			if p, ok := c.take(stream); ok && p != "" {
				m.s.unmapped("<%s><%s>%s: the wrapper writes a hook's output to its own log", h.name, stream, p)
			}
		}
		c.leftovers(&m.s, h.name)
		if exe == "" {
			m.s.unmapped("<%s> without <executable>: WinSW runs nothing", h.name)
			continue
		}
		cmd := []string{m.expand(strings.Trim(exe, `"`))}
		for _, a := range SplitArgs(strings.NewReplacer("\r", " ", "\n", " ").Replace(args)) {
			cmd = append(cmd, m.expand(a))
		}
		*h.dst, found = &Hook{Command: cmd}, true
	}
	if found {
		m.s.note("hooks: WinSW ran them when the service started and stopped; the wrapper runs them around every start " +
			"and stop of the program, restarts included, and ends one that runs longer than its timeout (30s)")
	}
}

// install maps what `wrapper install` applies: start mode, dependencies,
// account; and <priority>, the program's priority.
func (m *winsw) install() {
	mode := "auto"
	if el, ok := m.one("startmode"); ok {
		switch t := strings.ToLower(el.text()); t {
		case "automatic":
		case "manual", "disabled":
			mode = t
		default:
			m.s.unmapped("<startmode>%s: the wrapper installs an automatic, manual or disabled service; automatic is written", el.text())
		}
	}
	if el, ok := m.one("delayedAutoStart"); ok && boolean(el) {
		if mode == "auto" {
			mode = "delayed-auto"
		} else {
			m.s.note("<delayedAutoStart>: ignored, as WinSW ignores it unless the start mode is automatic")
		}
	}
	if mode != "auto" {
		m.s.SCM.StartMode = mode
	}
	for _, el := range m.all("depend") {
		m.s.SCM.Dependencies = append(m.s.SCM.Dependencies, m.literal(el.text()))
	}
	m.serviceAccount()
	if el, ok := m.one("priority"); ok && !strings.EqualFold(el.text(), "normal") {
		m.s.Priority = m.s.priority("<priority>"+el.text(), map[string]string{"idle": "idle", "belownormal": "below-normal",
			"abovenormal": "above-normal", "high": "high", "realtime": "realtime"}[strings.ToLower(el.text())])
	}
}

// serviceAccount maps <serviceaccount>: 3.x's <username>, or 2.x's
// <domain> and <user>. A password is never imported.
func (m *winsw) serviceAccount() {
	el, ok := m.one("serviceaccount")
	if !ok {
		m.s.account("")
		return
	}
	c := childrenOf(el)
	user, _ := c.take("username")
	if u, ok := c.take("user"); ok && user == "" {
		user = u
		if d, _ := c.take("domain"); d != "" {
			user = d + `\` + u
		} else if needs := m.needsPassword(u); needs {
			user = `.\` + u // 2.x: no domain is the local computer
		}
	}
	c.take("domain")
	user = m.literal(user)
	if pw, ok := c.take("password"); ok && pw != "" {
		if m.needsPassword(user) {
			m.s.unmapped("<serviceaccount><password>: a password never goes in the YAML; set "+
				"service.password_env to the name of a variable holding the password of %s when running wrapper install "+
				"(or type it when install asks)", user)
		} else {
			m.s.note("<serviceaccount><password>: WinSW ignores it for %s, which has none", user)
		}
	}
	if p, ok := c.take("prompt"); ok {
		m.s.unmapped("<serviceaccount><prompt>%s: WinSW asked for the account at install; write it in service.account", p)
	}
	if v, ok := c.take("allowservicelogon"); ok && strings.EqualFold(v, "true") {
		m.s.note("<allowservicelogon>: wrapper install grants a user account the right to log on as a service itself")
	}
	c.leftovers(&m.s, "serviceaccount")
	m.s.account(user)
}

// needsPassword reports whether account is a user account.
func (m *winsw) needsPassword(account string) bool { return userAccount(account, m.s.Name) }

// winswNoEquivalent are WinSW elements the wrapper has nothing for, with
// what it does instead.
var winswNoEquivalent = map[string]string{
	"interactive":            "the wrapper's service does not interact with the desktop (Windows has isolated services since Vista)",
	"beeponshutdown":         "the wrapper does not beep",
	"download":               "the wrapper downloads nothing before a start: use hooks.pre_start",
	"securityDescriptor":     "the wrapper leaves the service's security descriptor alone",
	"securtityDescriptor":    "the wrapper leaves the service's security descriptor alone",
	"extensions":             "the wrapper has no extensions (its job object already ends runaway processes)",
	"sharedDirectoryMapping": "the wrapper maps no network drives: use hooks.pre_start",
	"hidewindow":             "the wrapper starts the program with a hidden console",
	"waithint":               "the wrapper reports its own wait hints to the SCM",
	"sleeptime":              "the wrapper reports its own wait hints to the SCM",
	"preshutdownTimeout":     "the wrapper takes the SCM's pre-shutdown notice with the system's timeout",
	"autoRefresh":            "wrapper install applies the YAML's service settings; wrapper status shows where the service differs",
}

// noEquivalent lists the elements of winswNoEquivalent that are given;
// <preshutdown> is mapped exactly (the wrapper always takes the notice).
func (m *winsw) noEquivalent() {
	m.all("preshutdown")
	names := make([]string, 0, len(winswNoEquivalent))
	for name := range winswNoEquivalent {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, el := range m.all(name) {
			what := "<" + name + ">"
			if from, ok := el.attr("from"); ok {
				what += fmt.Sprintf(" from %s", from)
			} else if t := el.text(); t != "" && len(el.Children) == 0 {
				what += t
			}
			m.s.unmapped("%s: %s", what, winswNoEquivalent[name])
		}
	}
}
