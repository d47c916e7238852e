package migrate

import (
	"strconv"
	"strings"
)

// children indexes an element's children by name; mark them as read with
// take, and list the rest with leftovers.
type children struct {
	els  map[string]xmlNode
	used map[string]bool
	all  []string
}

func childrenOf(n xmlNode) *children {
	c := &children{els: map[string]xmlNode{}, used: map[string]bool{}}
	for _, k := range n.Children {
		if _, seen := c.els[k.XMLName.Local]; !seen {
			c.els[k.XMLName.Local] = k
			c.all = append(c.all, k.XMLName.Local)
		}
	}
	return c
}

// take returns the child's text, and whether it is there.
func (c *children) take(name string) (string, bool) {
	c.used[name] = true
	k, ok := c.els[name]
	return k.text(), ok
}

// leftovers lists the children never taken under parent.
func (c *children) leftovers(s *Service, parent string) {
	for _, name := range c.all {
		if !c.used[name] {
			s.unmapped("<%s><%s>: not an element this importer knows there", parent, name)
		}
	}
}

// log maps <logpath>, <log mode=…> (or 2.x's <logmode>) and the log file
// names.
func (m *winsw) log() {
	mode, settings := "append", xmlNode{}
	if el, ok := m.one("logmode"); ok {
		mode, settings = el.text(), el
		if _, ok := m.one("log"); ok {
			m.s.note("<log>: ignored, as WinSW ignores it when <logmode> is given")
		}
	} else if el, ok := m.one("log"); ok {
		settings = el
		if v, ok := el.attr("mode"); ok {
			mode = v
		}
	}
	m.logFiles()
	raw := "%BASE%" // WinSW's default: beside the XML
	if el, ok := m.one("logpath"); ok && el.text() != "" {
		raw = el.text()
	}
	m.s.Log.Dir = m.s.safeLogDir(m.expand(raw), m.resolved(raw), m.keep())
	m.logMode(mode, childrenOf(settings))
}

// keep lists what the log directory must not hold: the program, the
// hooks' programs, the YAML's folder and the caller's files.
func (m *winsw) keep() []string {
	var keep []string
	add := func(raw string) {
		if p := m.resolved(raw); winAbs(p) {
			keep = append(keep, p)
		}
	}
	exe, _ := m.one("executable")
	add(strings.Trim(exe.text(), `"`))
	for _, name := range []string{"prestart", "poststart", "prestop", "poststop"} {
		if el, ok := m.one(name); ok {
			exe, _ := childrenOf(el).take("executable")
			add(exe)
		}
	}
	if m.opts.ConfigDir != "" {
		keep = append(keep, m.opts.ConfigDir)
	}
	return append(keep, m.opts.Keep...)
}

// logFiles maps <logname>, <outfilepattern>, <errfilepattern> and the
// switches that turned a log off.
func (m *winsw) logFiles() {
	name := m.opts.BaseName
	if el, ok := m.one("logname"); ok && el.text() != "" {
		name = el.text()
	}
	for _, f := range []struct {
		pattern, def, disabled string
		dst                    *string
	}{{"outfilepattern", ".out.log", "outfiledisabled", &m.s.Log.Stdout}, {"errfilepattern", ".err.log", "errfiledisabled", &m.s.Log.Stderr}} {
		suffix := f.def
		if el, ok := m.one(f.pattern); ok && el.text() != "" {
			suffix = el.text()
		}
		if name != m.s.Name || suffix != f.def { // else the wrapper's default ${NAME}.out.log
			*f.dst = m.expand(name + suffix)
		}
		if el, ok := m.one(f.disabled); ok && boolean(el) {
			m.s.unmapped("<%s>: WinSW discarded that stream; the wrapper writes it to its log file", f.disabled)
		}
	}
}

// logMode maps the log mode and its settings to rotation.
func (m *winsw) logMode(mode string, set *children) {
	number := func(name string, def int) int {
		t, ok := set.take(name)
		if !ok {
			return def
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			m.s.unmapped("<log><%s>%s: not a whole number; WinSW's default %d is used", name, t, def)
			return def
		}
		return n
	}
	size := func() {
		b := int64(number("sizeThreshold", winswSizeKB)) << 10
		if b < minLogSize {
			m.s.note("<log><sizeThreshold>: the wrapper rotates at 1KB at the least")
			b = minLogSize
		}
		m.s.Log.MaxSize = ptr(b)
	}
	byTime := func() {
		pattern, _ := set.take("pattern")
		set.take("period")
		set.take("autoRollAtTime")
		m.s.unmapped("<log mode=%q> (pattern %q): the wrapper rotates by size only (log.max_size) and keeps every rotated file (max_files 0)", mode, pattern)
	}
	switch mode {
	case "append", "":
		m.s.Log.MaxFiles = ptr(0)
		m.s.note("<log mode=\"append\"> never rotated: the wrapper rotates at log.max_size (10MB) and keeps every rotated file (max_files 0)")
	case "reset":
		m.s.Log.MaxFiles = ptr(0)
		m.s.unmapped("<log mode=\"reset\">: WinSW emptied the logs at every start; the wrapper appends, rotates at log.max_size and keeps every rotated file")
	case "none":
		m.s.unmapped("<log mode=\"none\">: WinSW discarded the output; the wrapper always writes it to log files")
	case "roll":
		m.s.Log.MaxFiles = ptr(1)
		m.s.note("<log mode=\"roll\"> renamed the logs to *.old at every start: the wrapper rotates at log.max_size and keeps one rotated file")
	case "rotate", "roll-by-size":
		size()
		m.s.Log.MaxFiles = ptr(number("keepFiles", winswKeepFiles))
	case "roll-by-time":
		m.s.Log.MaxFiles = ptr(0)
		byTime()
	case "roll-by-size-time":
		size()
		m.s.Log.MaxFiles = ptr(0)
		byTime()
		for _, name := range []string{"zipOlderThanNumDays", "zipDateFormat"} {
			if t, ok := set.take(name); ok {
				m.s.unmapped("<log><%s>%s: the wrapper does not zip old logs (log.compress gzips each rotated file)", name, t)
			}
		}
	default:
		m.s.unmapped("<log mode=%q>: not a WinSW log mode; the wrapper rotates at log.max_size", mode)
	}
	set.leftovers(&m.s, "log")
}
