package migrate

import "strings"

// log maps the I/O redirection (AppStdout, AppStderr, AppStdin) and the
// rotation settings (AppRotate*, AppTimestampLog).
func (m *nssm) log() {
	out, _ := m.str("AppStdout")
	errp, _ := m.str("AppStderr")
	switch in, _ := m.str("AppStdin"); {
	case in == "" || strings.EqualFold(strings.TrimSuffix(in, ":"), "NUL"):
	case device(in):
		m.s.unmapped("AppStdin %s: a device; the wrapper gives the program the null device, a pipe (stdin: open) or a file", in)
	default:
		m.s.StdinFile = expanded(in)
	}
	m.createFileParams()
	if v, ok := m.num("AppTimestampLog"); ok && v != 0 {
		m.s.Log.Timestamps = true
	}
	streams := []struct {
		name, path, key string
		dst             *string
	}{{"AppStdout", out, "stdout", &m.s.Log.Stdout}, {"AppStderr", errp, "stderr", &m.s.Log.Stderr}}
	dir := ""
	for _, st := range streams {
		switch {
		case st.path == "":
			if out != "" || errp != "" {
				m.s.note("%s is not set, so NSSM did not capture that stream; the wrapper writes it to log.%s", st.name, st.key)
			}
		case device(st.path):
			m.s.unmapped("%s %s: a device; the wrapper writes the stream to log.%s", st.name, st.path, st.key)
		case dir == "":
			dir, _ = winSplit(st.path)
		}
	}
	m.rotation(dir != "")
	if dir == "" {
		if out == "" && errp == "" {
			m.s.note("NSSM did not capture the output; the wrapper writes it to log files in log.dir (logs beside the YAML)")
		}
		return
	}
	m.s.Log.Dir = m.s.safeLogDir(expanded(dir), dir, m.keep())
	for _, st := range streams {
		if st.path == "" || device(st.path) {
			continue
		}
		d, file := winSplit(st.path)
		if strings.EqualFold(d, dir) {
			*st.dst = expanded(file)
		} else {
			*st.dst = expanded(st.path) // another folder: an absolute path
		}
	}
}

// device reports whether an NSSM stream path names a device (NUL, CON,
// COM1, \\.\pipe\x, …) rather than a file.
func device(p string) bool {
	if strings.HasPrefix(p, `\\.\`) || strings.HasPrefix(p, `\\?\pipe`) {
		return true
	}
	u := strings.ToUpper(strings.TrimSuffix(p, ":"))
	switch {
	case u == "NUL" || u == "CON" || u == "PRN" || u == "AUX" || u == "CONIN$" || u == "CONOUT$":
		return true
	case len(u) == 4 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && '1' <= u[3] && u[3] <= '9':
		return true
	}
	return false
}

// keep lists what the log directory must not hold: the program, the
// hooks' programs, the YAML's folder and the caller's files.
func (m *nssm) keep() []string {
	var keep []string
	if app, _ := m.k.Parameters.get("Application"); winAbs(strings.Trim(app.Str, `"`)) {
		keep = append(keep, strings.Trim(app.Str, `"`))
	}
	for _, h := range []*Hook{m.s.Hooks.PreStart, m.s.Hooks.PostStart, m.s.Hooks.PreStop, m.s.Hooks.PostStop} {
		if h != nil && winAbs(h.Command[0]) {
			keep = append(keep, h.Command[0])
		}
	}
	if m.opts.ConfigDir != "" {
		keep = append(keep, m.opts.ConfigDir)
	}
	return append(keep, m.opts.Keep...)
}

// createFileParams lists the CreateFile() parameters of the streams: the
// wrapper opens its log files itself (appending, shared for reading).
func (m *nssm) createFileParams() {
	for _, stream := range []string{"AppStdin", "AppStdout", "AppStderr"} {
		for _, p := range []string{"ShareMode", "CreationDisposition", "FlagsAndAttributes", "CopyAndTruncate"} {
			if v, ok := m.num(stream + p); ok {
				m.s.unmapped("%s%s %d: the wrapper opens its log files itself, appending", stream, p, v)
			}
		}
	}
}

// rotation maps AppRotate* when NSSM captured the output (else it only
// reads them). NSSM never deletes a rotated file, so neither does the
// wrapper (max_files 0).
func (m *nssm) rotation(captured bool) {
	rotate, _ := m.num("AppRotateFiles")
	online, _ := m.num("AppRotateOnline")
	low, _ := m.num("AppRotateBytes")
	high, _ := m.num("AppRotateBytesHigh")
	size := int64(high<<32 | low&0xffffffff)
	secs, _ := m.num("AppRotateSeconds")
	pause, _ := m.num("AppRotateDelay")
	if !captured {
		return
	}
	m.s.Log.MaxFiles = ptr(0)
	switch {
	case rotate == 0:
		m.s.note("NSSM did not rotate the logs (AppRotateFiles 0): the wrapper rotates at log.max_size (10MB) and keeps every rotated file")
	case size > 0:
		m.s.Log.MaxSize = ptr(max(size, minLogSize))
		if online == 0 {
			m.s.note("NSSM rotated a log only when the service started, if it held %s or more; the wrapper rotates whenever it reaches log.max_size", formatSize(size))
		}
	default:
		m.s.note("NSSM rotated the logs at every start%s; the wrapper rotates when a log reaches log.max_size (10MB)",
			map[bool]string{true: " and on request", false: ""}[online != 0])
	}
	if secs != 0 {
		m.s.unmapped("AppRotateSeconds %d: NSSM left younger files alone; the wrapper rotates by size only", secs)
	}
	if pause != 0 {
		m.s.unmapped("AppRotateDelay %s: the wrapper does not pause after rotating", formatDuration(ms(pause)))
	}
}
