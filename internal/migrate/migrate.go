// Package migrate turns another service manager's configuration into the
// wrapper's: an NSSM service's registry values (NSSM) or a WinSW XML file
// (WinSW) become a Service, a neutral description in the terms of the
// wrapper's YAML, which Render writes as YAML text.
//
// The mapping is pure: only ReadNSSM (Windows) touches the system, so every
// rule is tested on every platform. A setting without an equivalent is
// listed in Service.Unmapped, an approximation in Service.Notes; nothing is
// dropped in silence. This package knows the YAML's keys but not the config
// package (internal packages never import it): the wrapper's tests load what
// Render writes with config.Parse.
package migrate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wrapper-dev/wrapper/internal/scm"
)

// Service is a service described in the wrapper's YAML terms. String fields
// hold the YAML value as the wrapper reads it: in keys the wrapper expands
// (executable, arguments, working_directory, env values, log paths,
// service.account, hook commands) a literal $ is already written $$. Empty
// strings, nil pointers and nil slices are left out of the YAML, so the
// wrapper's default applies.
type Service struct {
	// OldName is the service's name as NSSM or WinSW installed it: the
	// SCM's name, which Name differs from when the wrapper does not accept
	// it.
	OldName          string
	Name             string
	DisplayName      string
	Description      string
	Executable       string
	Arguments        []string
	WorkingDirectory string
	Env              []EnvVar
	// StdinFile is the file the program reads as its standard input
	// (stdin: {file: …}); "" for the null device.
	StdinFile string
	// Priority and Affinity are the YAML's priority (idle … high) and
	// affinity (a CPU list such as "0-3,8"); "" leaves them out.
	Priority, Affinity string
	Restart            Restart
	Stop               Stop
	Log                Log
	Hooks              Hooks
	SCM                SCM // the YAML's service section

	// Unmapped lists, one line each, the settings that have no equivalent
	// in the wrapper: what was set and what the wrapper does instead.
	Unmapped []string
	// Notes lists the settings mapped only approximately, and what the
	// user should know or do (a password to supply, say).
	Notes []string
}

// EnvVar is one env entry; the YAML keeps their order.
type EnvVar struct{ Name, Value string }

// Restart is the YAML's restart section.
type Restart struct {
	Policy           string // always, on-failure or never
	Delay            *time.Duration
	MaxDelay         *time.Duration
	ResetAfter       *time.Duration
	MaxFailures      *int
	SuccessExitCodes []uint32
	FatalExitCodes   []uint32
}

// Stop is the YAML's stop section.
type Stop struct {
	Timeout       *time.Duration
	WindowTimeout *time.Duration
}

// Log is the YAML's log section. Stdout and Stderr are relative to Dir
// unless absolute.
type Log struct {
	Dir        string
	Stdout     string
	Stderr     string
	MaxSize    *int64 // bytes
	MaxFiles   *int   // 0 keeps all
	Timestamps bool
}

// Hooks is the YAML's hooks section.
type Hooks struct {
	PreStart, PostStart, PreStop, PostStop *Hook
}

// Hook is one hook: a program and its arguments, never run by a shell.
type Hook struct {
	Command []string
	Timeout *time.Duration
}

// SCM is the YAML's service section.
type SCM struct {
	StartMode    string // auto, delayed-auto, manual or disabled
	Dependencies []string
	Account      string
	// Recovery are the SCM's restart delays; nil leaves the default, an
	// empty non-nil slice writes [].
	Recovery      []time.Duration
	RecoveryReset *time.Duration
}

// unmapped records a setting without an equivalent.
func (s *Service) unmapped(format string, args ...any) {
	s.Unmapped = append(s.Unmapped, fmt.Sprintf(format, args...))
}

// note records an approximation or advice.
func (s *Service) note(format string, args ...any) {
	s.Notes = append(s.Notes, fmt.Sprintf(format, args...))
}

// ptr returns a pointer to v, for the optional fields.
func ptr[T any](v T) *T { return &v }

// substitute turns a value of the old manager into YAML text. Every
// %NAME% reference that vars knows is replaced by its text; any other
// stays as written, which the wrapper expands from the environment at
// load just as NSSM and WinSW did (or leaves alone when undefined, as they
// did). With dollar, for keys the wrapper expands, a literal $ becomes $$.
// left reports whether a reference was left for the wrapper to expand.
func substitute(raw string, dollar bool, vars func(name string) (string, bool)) (text string, left bool) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '$' && dollar:
			b.WriteString("$$")
			continue
		case c != '%':
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(raw[i+1:], '%')
		name := ""
		if end > 0 {
			name = raw[i+1 : i+1+end]
		}
		if name == "" || strings.ContainsAny(name, "= \t") {
			b.WriteByte(c) // a lone % ("100%"): literal for every party
			continue
		}
		if repl, ok := vars(name); ok {
			b.WriteString(repl)
		} else {
			b.WriteString(raw[i : i+end+2])
			left = true
		}
		i += end + 1
	}
	return b.String(), left
}

// noVars knows no variable: every reference is left for the wrapper.
func noVars(string) (string, bool) { return "", false }

// expanded is substitute for a key the wrapper expands, with no variable
// of the old manager's own.
func expanded(raw string) string {
	s, _ := substitute(raw, true, noVars)
	return s
}

// oneLine joins the lines of a display name or description, which the
// wrapper requires on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ValidName reports whether name is a valid wrapper service name (the
// rule of the YAML's name key): 1 to 80 characters from A-Z a-z 0-9 _ . -,
// starting with a letter or digit.
func ValidName(name string) bool {
	if name == "" || len(name) > 80 {
		return false
	}
	for i, r := range name {
		alnum := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("_.-", r)) {
			return false
		}
	}
	return true
}

// serviceName maps an old service name to the YAML's name, replacing what
// the wrapper does not accept and saying so.
func (s *Service) serviceName(name string) {
	s.OldName = name
	if ValidName(name) {
		s.Name = name
		return
	}
	var b strings.Builder
	for _, r := range name {
		if r < 128 && ValidName("a"+string(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	fixed := strings.TrimLeft(b.String(), "-_.")
	if len(fixed) > 80 {
		fixed = fixed[:80]
	}
	if fixed == "" {
		fixed = "service"
	}
	s.Name = fixed
	s.unmapped("service name %q: not a valid wrapper name (1-80 of A-Z a-z 0-9 _ . -), written as %q; "+
		"--replace needs the names to match: install the wrapper as a new service instead", name, fixed)
}

// account maps the old service account. "" and LocalSystem both mean
// LocalSystem for NSSM and WinSW, while the wrapper's default is the
// virtual account NT SERVICE\<name>: LocalSystem is kept, with advice.
func (s *Service) account(name string) {
	if name == "" || strings.EqualFold(name, "LocalSystem") {
		s.SCM.Account = "LocalSystem"
		s.note("service.account: LocalSystem, as before; the wrapper's default, the virtual account NT SERVICE\\%s, "+
			"has far fewer rights: remove the key to use it if the program needs no more", s.Name)
		return
	}
	s.SCM.Account = expanded(name)
}

// userAccount reports whether account is a user account, whose password
// the SCM needs: the built-in accounts, virtual accounts and gMSAs have
// none (the wrapper's own rule, scm.ResolveAccount).
func userAccount(account, service string) bool {
	_, needs := scm.ResolveAccount(account, service)
	return account != "" && needs
}

// winSep reports whether c separates Windows path elements.
func winSep(c byte) bool { return c == '\\' || c == '/' }

// winSplit splits a Windows (or Unix) path into its directory and file
// name; dir is "" for a bare name.
func winSplit(p string) (dir, file string) {
	i := strings.LastIndexFunc(p, func(r rune) bool { return r == '\\' || r == '/' })
	if i < 0 {
		return "", p
	}
	dir = p[:i]
	if dir == "" || strings.HasSuffix(dir, ":") { // C:\x or \x: keep the root
		dir = p[:i+1]
	}
	return dir, p[i+1:]
}

// winAbs reports whether p is absolute on Windows (C:\x, \\server\share,
// \x) or on Unix (/x).
func winAbs(p string) bool {
	return len(p) > 0 && winSep(p[0]) || len(p) > 2 && p[1] == ':' && winSep(p[2])
}

// winJoin joins a relative path to dir with a backslash, or with a slash
// when dir is a Unix path.
func winJoin(dir, rel string) string {
	sep := `\`
	if strings.HasPrefix(dir, "/") {
		sep = "/"
	}
	return strings.TrimRight(dir, `\/`) + sep + rel
}

// holds reports whether directory dir is path p or contains it,
// comparing as Windows does: case-insensitively, \ and / alike. Only
// absolute paths are compared.
func holds(dir, p string) bool {
	if !winAbs(dir) || !winAbs(p) {
		return false
	}
	norm := func(s string) string {
		return strings.TrimRight(strings.ToLower(strings.ReplaceAll(s, "/", `\`)), `\`)
	}
	d, q := norm(dir), norm(p)
	return q == d || strings.HasPrefix(q, d+`\`)
}

// safeLogDir returns dir, or its subdirectory logs when dir (resolved, as
// resolved) holds one of keep: the wrapper refuses a log directory holding
// what it runs or trusts, since the service account may write there.
func (s *Service) safeLogDir(dir, resolved string, keep []string) string {
	if i := slices.IndexFunc(keep, func(k string) bool { return holds(resolved, k) }); i >= 0 {
		s.note("log.dir: %s holds %s, which the wrapper refuses (the service account can write to its log "+
			"directory): the logs go to its subdirectory logs instead", resolved, keep[i])
		return winJoin(dir, "logs")
	}
	return dir
}

// addEnv appends one env entry. Windows names are case-insensitive and a
// YAML mapping cannot repeat a key, so a name given again replaces the
// earlier value in its place; a reference to itself in the new value
// (PATH=C:\bin;%PATH%) takes the earlier value, as the old manager's
// expansion in order did.
func (s *Service) addEnv(name, value string) {
	if name == "" || strings.ContainsAny(name, "= \t") {
		s.unmapped("environment entry %q: the wrapper needs a name without spaces or =", name+"="+value)
		return
	}
	i := slices.IndexFunc(s.Env, func(e EnvVar) bool { return strings.EqualFold(e.Name, name) })
	if i < 0 {
		s.Env = append(s.Env, EnvVar{name, value})
		return
	}
	old := s.Env[i].Value
	s.Env[i].Value, _ = substitute(value, false, func(n string) (string, bool) {
		return old, strings.EqualFold(n, name)
	})
}

// formatDuration spells d in the wrapper's duration syntax, in the largest
// whole unit.
func formatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	case d%time.Millisecond == 0:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	}
	return d.String()
}

// formatSize spells n bytes in the wrapper's size syntax.
func formatSize(n int64) string {
	switch {
	case n > 0 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGB", n>>30)
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKB", n>>10)
	}
	return fmt.Sprint(n)
}

// minLogSize is the wrapper's smallest log.max_size.
const minLogSize = 1 << 10

// priority returns the YAML's priority for a source priority already
// translated to the wrapper's names (realtime included), listing what
// cannot be written: realtime becomes high, an unknown class is left out.
func (s *Service) priority(source, name string) string {
	switch name {
	case "":
		s.unmapped("%s: not a priority class the wrapper knows; the program runs at the wrapper's priority", source)
	case "realtime":
		s.note("%s: written as high; the wrapper offers no realtime class, which can starve the system", source)
		return "high"
	}
	return name
}

// affinity returns the YAML's affinity for a CPU list written as NSSM
// writes it ("0-3,8"), or lists it when it is not one.
func (s *Service) affinity(source, list string) string {
	if !isCPUList(list) {
		s.unmapped("%s: not a list of CPUs the wrapper reads; the program may run on every CPU", source)
		return ""
	}
	return list
}

// isCPUList reports whether list is CPU numbers and ranges separated by
// commas ("0-3,8"), as the YAML's affinity takes it. (No regexp: this
// package is linked into every wrapper, and a compiled pattern would be
// built at every start.)
func isCPUList(list string) bool {
	for item := range strings.SplitSeq(list, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		if !digits(lo) || isRange && !digits(hi) {
			return false
		}
	}
	return true
}

// digits reports whether s is one to four decimal digits.
func digits(s string) bool {
	if len(s) == 0 || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
