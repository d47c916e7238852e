package migrate

import (
	"fmt"
	"strings"
	"time"
)

// Render writes s as the wrapper's YAML. It starts with comments: the
// source, every unmapped setting and every note, so they travel with the
// file. Then the keys follow in the order of the configuration reference,
// each string a double-quoted scalar (quote), each unset key left out.
// Render does not import a YAML library (only config does); the tests load
// its output with the wrapper's own loader.
func Render(s Service, source string) []byte {
	var w yamlWriter
	w.comment(source)
	w.comments("Not imported (no equivalent in the wrapper):", s.Unmapped)
	w.comments("Imported approximately:", s.Notes)
	w.b.WriteByte('\n')
	w.str(0, "name", s.Name)
	w.str(0, "display_name", s.DisplayName)
	w.str(0, "description", s.Description)
	w.str(0, "executable", s.Executable)
	w.list(0, "arguments", s.Arguments)
	w.str(0, "working_directory", s.WorkingDirectory)
	if len(s.Env) > 0 {
		w.line(0, "env:")
		for _, e := range s.Env {
			w.line(1, quote(e.Name)+": "+quote(e.Value))
		}
	}
	if s.StdinFile != "" {
		w.line(0, "stdin: {file: "+quote(s.StdinFile)+"}")
	}
	w.str(0, "priority", s.Priority)
	w.str(0, "affinity", s.Affinity)
	w.restart(s.Restart)
	w.section("stop", func(w *yamlWriter) {
		w.duration(1, "timeout", s.Stop.Timeout)
		w.duration(1, "window_timeout", s.Stop.WindowTimeout)
	})
	w.log(s.Log)
	w.hooks(s.Hooks)
	w.scm(s.SCM)
	return []byte(w.b.String())
}

// yamlWriter accumulates the YAML text.
type yamlWriter struct{ b strings.Builder }

// line writes one line at indent levels of two spaces.
func (w *yamlWriter) line(indent int, text string) {
	w.b.WriteString(strings.Repeat("  ", indent))
	w.b.WriteString(text)
	w.b.WriteByte('\n')
}

// comment writes text as comment lines, one per line of text.
func (w *yamlWriter) comment(text string) {
	for _, l := range strings.Split(text, "\n") {
		w.line(0, strings.TrimRight("# "+commentSafe(l), " "))
	}
}

// comments writes a titled list of comment lines; nothing for no items.
func (w *yamlWriter) comments(title string, items []string) {
	if len(items) == 0 {
		return
	}
	w.line(0, "#")
	w.line(0, "# "+title)
	for _, it := range items {
		w.line(0, "#   - "+commentSafe(it))
	}
}

// str writes key: "value" unless value is empty.
func (w *yamlWriter) str(indent int, key, value string) {
	if value != "" {
		w.line(indent, key+": "+quote(value))
	}
}

// list writes a block list of strings unless it is empty.
func (w *yamlWriter) list(indent int, key string, items []string) {
	if len(items) == 0 {
		return
	}
	w.line(indent, key+":")
	for _, it := range items {
		w.line(indent+1, "- "+quote(it))
	}
}

// duration writes key: 10s unless d is nil.
func (w *yamlWriter) duration(indent int, key string, d *time.Duration) {
	if d != nil {
		w.line(indent, key+": "+formatDuration(*d))
	}
}

// section writes a mapping key followed by what body writes, or nothing
// when body writes nothing.
func (w *yamlWriter) section(key string, body func(w *yamlWriter)) {
	var inner yamlWriter
	body(&inner)
	if inner.b.Len() > 0 {
		w.line(0, key+":")
		w.b.WriteString(inner.b.String())
	}
}

func (w *yamlWriter) restart(r Restart) {
	w.section("restart", func(w *yamlWriter) {
		w.str(1, "policy", r.Policy)
		w.duration(1, "delay", r.Delay)
		w.duration(1, "max_delay", r.MaxDelay)
		w.duration(1, "reset_after", r.ResetAfter)
		if r.MaxFailures != nil {
			w.line(1, fmt.Sprintf("max_failures: %d", *r.MaxFailures))
		}
		w.codes("success_exit_codes", r.SuccessExitCodes)
		w.codes("fatal_exit_codes", r.FatalExitCodes)
	})
}

// codes writes a flow list of exit codes unless codes is nil.
func (w *yamlWriter) codes(key string, codes []uint32) {
	if codes == nil {
		return
	}
	text := make([]string, len(codes))
	for i, c := range codes {
		text[i] = fmt.Sprint(c)
	}
	w.line(1, key+": ["+strings.Join(text, ", ")+"]")
}

func (w *yamlWriter) log(l Log) {
	w.section("log", func(w *yamlWriter) {
		w.str(1, "dir", l.Dir)
		w.str(1, "stdout", l.Stdout)
		w.str(1, "stderr", l.Stderr)
		if l.MaxSize != nil {
			w.line(1, "max_size: "+formatSize(*l.MaxSize))
		}
		if l.MaxFiles != nil {
			w.line(1, fmt.Sprintf("max_files: %d", *l.MaxFiles))
		}
		if l.Timestamps {
			w.line(1, "timestamps: true")
		}
	})
}

func (w *yamlWriter) hooks(h Hooks) {
	w.section("hooks", func(w *yamlWriter) {
		for _, k := range []struct {
			key  string
			hook *Hook
		}{{"pre_start", h.PreStart}, {"post_start", h.PostStart}, {"pre_stop", h.PreStop}, {"post_stop", h.PostStop}} {
			if k.hook == nil {
				continue
			}
			w.line(1, k.key+":")
			w.list(2, "command", k.hook.Command)
			w.duration(2, "timeout", k.hook.Timeout)
		}
	})
}

func (w *yamlWriter) scm(s SCM) {
	w.section("service", func(w *yamlWriter) {
		w.str(1, "start_mode", s.StartMode)
		w.list(1, "dependencies", s.Dependencies)
		w.str(1, "account", s.Account)
		if s.Recovery != nil {
			text := make([]string, len(s.Recovery))
			for i, d := range s.Recovery {
				text[i] = formatDuration(d)
			}
			w.line(1, "recovery: ["+strings.Join(text, ", ")+"]")
		}
		w.duration(1, "recovery_reset", s.RecoveryReset)
	})
}

// quote writes s as a YAML double-quoted scalar, which YAML reads back
// exactly whatever s holds: \ and " are escaped, and so is every control
// or line-breaking character (C0, DEL, C1, U+2028, U+2029) and the byte
// order mark, as \uXXXX; the rest stays as it is. (JSON's quoting is valid
// YAML too, but would also spell <, > and & as escapes.)
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || 0x80 <= r && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// commentSafe keeps text on its comment line: every character YAML takes
// as a line break (or any other control character) becomes a space.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || 0x80 <= r && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff {
			return ' '
		}
		return r
	}, s)
}
