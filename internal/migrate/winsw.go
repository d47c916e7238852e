package migrate

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WinSWOptions say where the XML lies and where the YAML will go.
type WinSWOptions struct {
	// Dir is the absolute directory of the XML file: WinSW's %BASE%, its
	// default working and log directory.
	Dir string
	// BaseName is the XML file's name without .xml: the default base name
	// of WinSW's log files.
	BaseName string
	// ConfigDir is the directory the YAML will be written to, "" when not
	// known. When it is Dir, %BASE% is written ${BASE} (the wrapper's BASE
	// is the YAML's directory); otherwise it is written as Dir.
	ConfigDir string
	// Keep are files the log directory must not hold besides the program
	// (the wrapper executable, say).
	Keep []string
}

// xmlNode is one element of the XML, kept generic so that every element,
// known or not, is seen.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

// attr returns the attribute name's value, and whether it is there.
func (n xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// text is the element's text without surrounding white space.
func (n xmlNode) text() string { return strings.TrimSpace(n.Text) }

// winsw holds one WinSW import in progress.
type winsw struct {
	opts  WinSWOptions
	s     Service
	els   map[string][]xmlNode // the <service> element's children by name
	used  map[string]bool      // names mapped or listed
	order []string             // names in document order, for the unknown ones
	id    string
}

// WinSW maps a WinSW 2.x or 3.x XML configuration (the <service> file) to
// a Service. Both versions' spellings are read: <argument> and
// <arguments>, <logmode> and <log mode>, <domain>+<user> and <username>,
// <delayedAutoStart/> and <delayedAutoStart>true</delayedAutoStart>.
// %BASE% and %SERVICE_ID% are WinSW's own variables and are replaced; any
// other %VAR% is left for the wrapper, which expands it from the
// environment at load as WinSW did. Elements the wrapper has no
// equivalent for, and unknown elements, are listed in Unmapped. The error
// is for XML that WinSW itself would refuse (no <id> or <executable>).
func WinSW(data []byte, opts WinSWOptions) (Service, error) {
	var root xmlNode
	data = utf8Text(data)
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charset
	if err := dec.Decode(&root); err != nil {
		return Service{}, fmt.Errorf("read WinSW XML: %w", err)
	}
	if root.XMLName.Local != "service" {
		return Service{}, fmt.Errorf("read WinSW XML: the root element is <%s>, want <service>", root.XMLName.Local)
	}
	if _, err := dec.Token(); err != io.EOF && err != nil {
		return Service{}, fmt.Errorf("read WinSW XML: %w", err)
	}
	m := &winsw{opts: opts, els: map[string][]xmlNode{}, used: map[string]bool{}}
	for _, c := range root.Children {
		if _, seen := m.els[c.XMLName.Local]; !seen {
			m.order = append(m.order, c.XMLName.Local)
		}
		m.els[c.XMLName.Local] = append(m.els[c.XMLName.Local], c)
	}
	id, ok := m.one("id")
	if !ok || id.text() == "" {
		return Service{}, errors.New("read WinSW XML: <id> is missing (the service name)")
	}
	if exe, ok := m.one("executable"); !ok || exe.text() == "" {
		return Service{}, errors.New("read WinSW XML: <executable> is missing")
	}
	m.id = id.text()
	m.identity()
	m.command()
	m.env()
	m.hooks()
	m.stop() // after hooks: a <prestop> takes precedence over the stop command
	m.log()
	m.failure()
	m.install()
	m.noEquivalent()
	for _, name := range m.order {
		if !m.used[name] {
			m.s.unmapped("<%s>: not a WinSW element this importer knows", name)
		}
	}
	return m.s, nil
}

// one returns the element name (the first, as WinSW reads it) and marks
// it used.
func (m *winsw) one(name string) (xmlNode, bool) {
	m.used[name] = true
	els := m.els[name]
	if len(els) == 0 {
		return xmlNode{}, false
	}
	if len(els) > 1 {
		m.s.note("<%s> is given %d times: WinSW reads the first, and so does this import", name, len(els))
		m.els[name] = els[:1]
	}
	return els[0], true
}

// all returns every element name and marks them used.
func (m *winsw) all(name string) []xmlNode {
	m.used[name] = true
	return m.els[name]
}

// beside reports whether the YAML goes beside the XML.
func (m *winsw) beside() bool {
	return m.opts.ConfigDir != "" && strings.EqualFold(strings.TrimRight(m.opts.ConfigDir, `\/`), strings.TrimRight(m.opts.Dir, `\/`))
}

// text maps a value for a key the wrapper expands: %BASE% becomes ${BASE}
// (the YAML beside the XML) or the XML's directory, %SERVICE_ID% becomes
// ${NAME}. left reports other %VAR% references.
func (m *winsw) text(raw string) (string, bool) {
	base := "${BASE}"
	if !m.beside() {
		base = strings.ReplaceAll(m.opts.Dir, "$", "$$")
	}
	return substitute(raw, true, func(name string) (string, bool) {
		switch strings.ToUpper(name) {
		case "BASE":
			return base, true
		case "SERVICE_ID", "WINSW_SERVICE_ID":
			return "${NAME}", true
		}
		return "", false
	})
}

// expand is text without the report of references.
func (m *winsw) expand(raw string) string {
	s, _ := m.text(raw)
	return s
}

// literal maps a value for a key the wrapper does not expand (names,
// dependencies): WinSW's own variables become their values.
func (m *winsw) literal(raw string) string {
	s, _ := substitute(raw, false, func(name string) (string, bool) {
		switch strings.ToUpper(name) {
		case "BASE":
			return m.opts.Dir, true
		case "SERVICE_ID", "WINSW_SERVICE_ID":
			return m.id, true
		}
		return "", false
	})
	return s
}

// resolved is raw as an absolute path where it can tell (for the log
// directory check): %BASE% is the XML's directory, and a relative path is
// taken relative to it, WinSW's working directory.
func (m *winsw) resolved(raw string) string {
	p := m.literal(raw)
	if !winAbs(p) && strings.ContainsAny(p, `\/`) {
		p = winJoin(m.opts.Dir, p)
	}
	return p
}

// identity maps <id>, <name> and <description>.
func (m *winsw) identity() {
	m.s.serviceName(m.id)
	if n, ok := m.one("name"); ok {
		m.s.DisplayName = oneLine(m.literal(n.text()))
	}
	if d, ok := m.one("description"); ok {
		m.s.Description = oneLine(m.literal(d.text()))
	}
}

// command maps the program, its arguments and its working directory.
func (m *winsw) command() {
	exe, _ := m.one("executable")
	m.s.Executable = m.expand(strings.Trim(exe.text(), `"`))
	var args []string
	switch {
	case len(m.els["startargument"]) > 0:
		args = m.tagArgs("startargument")
	case len(m.els["startarguments"]) > 0:
		args = m.lineArgs("startarguments")
	case len(m.els["argument"]) > 0:
		args = m.tagArgs("argument")
	default:
		args = m.lineArgs("arguments")
	}
	for _, name := range []string{"startargument", "startarguments", "argument", "arguments"} {
		if !m.used[name] && len(m.els[name]) > 0 {
			m.used[name] = true
			m.s.note("<%s>: ignored, as WinSW ignores it when a form above it in <startargument>, <startarguments>, <argument>, <arguments> is given", name)
		}
	}
	leftRef := false
	for _, a := range args {
		text, left := m.text(a)
		m.s.Arguments = append(m.s.Arguments, text)
		leftRef = leftRef || left
	}
	if leftRef {
		m.s.note("arguments: WinSW expanded %%VAR%% in the command line and the program split the result into words; " +
			"the wrapper expands each list element into one argument (a variable holding several words stays one argument)")
	}
	if wd, ok := m.one("workingdirectory"); ok && wd.text() != "" {
		m.s.WorkingDirectory = m.expand(wd.text())
	} else if !m.beside() {
		m.s.WorkingDirectory = m.expand("%BASE%") // WinSW's default; the wrapper's is the YAML's folder
	}
}

// tagArgs reads the argv of repeated <argument>-style elements as WinSW
// 2.x built the command line from them (each quoted when it holds a space
// and is not quoted already) and as the program split that line.
func (m *winsw) tagArgs(name string) []string {
	var line strings.Builder
	for _, el := range m.all(name) {
		t := el.text()
		line.WriteByte(' ')
		if strings.Contains(t, " ") && !(strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`)) {
			t = `"` + t + `"`
		}
		line.WriteString(t)
	}
	return SplitArgs(line.String())
}

// lineArgs reads the argv of a single command-line element. Line breaks
// count as spaces: 3.x documents one argument per line.
func (m *winsw) lineArgs(name string) []string {
	el, ok := m.one(name)
	if !ok {
		return nil
	}
	return SplitArgs(strings.NewReplacer("\r", " ", "\n", " ").Replace(el.Text))
}

// env maps <env name= value=>.
func (m *winsw) env() {
	for _, el := range m.all("env") {
		name, okN := el.attr("name")
		value, okV := el.attr("value")
		if !okN || !okV {
			m.s.unmapped("<env> without a name or value attribute: WinSW refuses it")
			continue
		}
		m.s.addEnv(name, m.expand(value))
	}
	m.s.note("environment: WinSW also gave the program BASE, SERVICE_ID, WINSW_EXECUTABLE and WINSW_SERVICE_ID; " +
		"the wrapper gives it WRAPPER_SERVICE_NAME, WRAPPER_CONFIG and WRAPPER_EXE: add env entries if the program reads the former")
}

// duration parses a WinSW time span: a whole number with an optional unit
// ms, sec(s), min(s), hr(s), hour(s), day(s); no unit is milliseconds.
func duration(s string) (time.Duration, error) {
	v := strings.TrimSpace(s)
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"secs", time.Second}, {"sec", time.Second}, {"mins", time.Minute}, {"min", time.Minute},
		{"hrs", time.Hour}, {"hr", time.Hour}, {"hours", time.Hour}, {"hour", time.Hour}, {"days", 24 * time.Hour}, {"day", 24 * time.Hour}}
	unit := time.Millisecond
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, unit = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.unit
			break
		}
	}
	n, err := strconv.ParseUint(v, 10, 31)
	if err != nil {
		return 0, fmt.Errorf("invalid WinSW time span %q", s)
	}
	return time.Duration(n) * unit, nil
}

// timeSpan reads the time span element name: ok is false when it is
// absent or invalid (which is listed).
func (m *winsw) timeSpan(name string) (time.Duration, bool) {
	el, ok := m.one(name)
	if !ok {
		return 0, false
	}
	d, err := duration(el.text())
	if err != nil {
		m.s.unmapped("<%s>: %v", name, err)
		return 0, false
	}
	return d, true
}

// boolean reads a WinSW boolean: true or false; an empty element (2.x's
// <delayedAutoStart/>) is true.
func boolean(el xmlNode) bool {
	t := el.text()
	return t == "" || strings.EqualFold(t, "true")
}
