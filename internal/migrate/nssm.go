package migrate

import (
	"errors"
	"sort"
	"strings"
	"unicode"
)

// Kind is a registry value's type.
type Kind int

// The registry value types NSSM uses.
const (
	String       Kind = iota + 1 // REG_SZ: taken literally
	ExpandString                 // REG_EXPAND_SZ: NSSM expands %VAR% in it
	MultiString                  // REG_MULTI_SZ
	DWord                        // REG_DWORD (or REG_QWORD)
	Other                        // any other type
)

// Value is one registry value.
type Value struct {
	Kind Kind
	Str  string   // String, ExpandString
	Strs []string // MultiString
	Num  uint64   // DWord
}

// Values are the values of one registry key by name. Registry names are
// case-insensitive, and so is get.
type Values map[string]Value

// get returns the value name, matched case-insensitively.
func (v Values) get(name string) (Value, bool) {
	if x, ok := v[name]; ok {
		return x, true
	}
	for k, x := range v {
		if strings.EqualFold(k, name) {
			return x, true
		}
	}
	return Value{}, false
}

// NSSMKeys are the registry values of one NSSM service, read by ReadNSSM
// (or written by a test).
type NSSMKeys struct {
	// Name is the service name: the key under
	// HKLM\SYSTEM\CurrentControlSet\Services.
	Name string
	// Service are that key's values: DisplayName, Description, Start,
	// DelayedAutostart, ObjectName, DependOnService, Type, ...
	Service Values
	// Parameters are the values of its Parameters key: Application,
	// AppParameters, AppDirectory, AppEnvironmentExtra, ...
	Parameters Values
	// Exit are the values of Parameters\AppExit: "" (the key's default
	// value) is the default action, the others are named by exit code.
	Exit Values
	// Events are the subkeys of Parameters\AppEvents by event (Start,
	// Stop, Exit, Rotate, Power), each holding hook commands by action
	// (Pre, Post, ...).
	Events map[string]Values
}

// NSSMOptions say where the YAML will go.
type NSSMOptions struct {
	// ConfigDir is the directory the YAML will be written to, "" when not
	// known; the log directory must not hold it.
	ConfigDir string
	// Keep are files the log directory must not hold besides the program
	// (the wrapper executable, say).
	Keep []string
}

// ErrNoService is returned by ReadNSSM for a service that does not exist.
var ErrNoService = errors.New("service is not installed")

// ErrNotNSSM is returned for a service without NSSM's parameters.
var ErrNotNSSM = errors.New("not an NSSM service (no Parameters\\Application in its registry key)")

// nssm holds one NSSM import in progress.
type nssm struct {
	k    NSSMKeys
	opts NSSMOptions
	s    Service
	used map[string]bool // Parameters values read
}

// NSSM maps an NSSM service's registry values to a Service. Values of type
// REG_EXPAND_SZ keep their %VAR% references, which the wrapper expands at
// load as NSSM did at start; REG_SZ values NSSM took literally, which is
// noted when they hold one. Parameters the wrapper has no equivalent for,
// and parameters this importer does not know, are listed in Unmapped.
func NSSM(k NSSMKeys, opts NSSMOptions) (Service, error) {
	m := &nssm{k: k, opts: opts, used: map[string]bool{}}
	app, ok := m.str("Application")
	if !ok || app == "" {
		return Service{}, ErrNotNSSM
	}
	m.s.serviceName(k.Name)
	m.serviceKey()
	m.command(app)
	m.env()
	m.restart()
	m.stop()
	m.hooks()
	m.log()
	m.misc()
	m.unknown()
	return m.s, nil
}

// str returns the Parameters string value name, as written: NSSM strips
// the quotes around paths, and so does this.
func (m *nssm) str(name string) (string, bool) {
	m.used[strings.ToLower(name)] = true
	v, ok := m.k.Parameters.get(name)
	switch {
	case !ok:
		return "", false
	case v.Kind != String && v.Kind != ExpandString:
		m.s.unmapped("%s: not a string value, which NSSM ignores", name)
		return "", false
	case v.Kind == String && strings.Count(v.Str, "%") >= 2:
		m.s.note("%s is REG_SZ, so NSSM did not expand the %%VAR%% in it; the wrapper expands those defined in its environment", name)
	}
	return v.Str, true
}

// num returns the Parameters DWORD value name.
func (m *nssm) num(name string) (uint64, bool) {
	m.used[strings.ToLower(name)] = true
	v, ok := m.k.Parameters.get(name)
	if ok && v.Kind != DWord {
		m.s.unmapped("%s: not a REG_DWORD, which NSSM ignores", name)
		return 0, false
	}
	return v.Num, ok
}

// serviceKey maps the service key's values: names, start type, account,
// dependencies.
func (m *nssm) serviceKey() {
	sv := m.k.Service
	if v, ok := sv.get("DisplayName"); ok {
		m.s.DisplayName = oneLine(v.Str)
	}
	if v, ok := sv.get("Description"); ok {
		m.s.Description = oneLine(v.Str)
	}
	start, ok := sv.get("Start")
	delayed, _ := sv.get("DelayedAutostart")
	switch {
	case !ok:
	case start.Num == 2: // SERVICE_AUTO_START
		if delayed.Num != 0 {
			m.s.SCM.StartMode = "delayed-auto"
		}
	case start.Num == 3:
		m.s.SCM.StartMode = "manual"
	case start.Num == 4:
		m.s.SCM.StartMode = "disabled"
	default:
		m.s.unmapped("Start %d (boot or system start, for drivers): the wrapper installs an automatic service", start.Num)
	}
	if v, ok := sv.get("DependOnService"); ok {
		for _, d := range v.Strs {
			if d == "" || strings.ContainsFunc(d, unicode.IsControl) {
				m.s.unmapped("DependOnService entry %q: not a service name", d)
				continue
			}
			m.s.SCM.Dependencies = append(m.s.SCM.Dependencies, d)
		}
	}
	if v, ok := sv.get("DependOnGroup"); ok && len(v.Strs) > 0 {
		m.s.unmapped("DependOnGroup %s: the wrapper depends on services, not load order groups", strings.Join(v.Strs, ", "))
	}
	if v, ok := sv.get("Type"); ok && v.Num&0x100 != 0 {
		m.s.unmapped("Type: interactive service; the wrapper's service does not interact with the desktop")
	}
	obj, _ := sv.get("ObjectName")
	m.s.account(obj.Str)
	if userAccount(obj.Str, m.s.Name) {
		m.s.note("service.account %s: its password stays with the service for --replace; for wrapper install, set "+
			"service.password_env to the name of a variable holding it (or type it when install asks)", obj.Str)
	}
	if v, ok := sv.get("Environment"); ok && len(v.Strs) > 0 {
		m.s.note("the service's own Environment block (%d entries) stays with the service for --replace and wrapper install; "+
			"a service newly made by wrapper install would not have it: copy the entries to env", len(v.Strs))
	}
	if _, ok := sv.get("FailureActions"); ok {
		m.s.note("the service's own recovery actions are kept by --replace; wrapper install replaces them with service.recovery")
	}
}

// command maps the program, its arguments and its working directory.
func (m *nssm) command(app string) {
	app = strings.Trim(app, `"`)
	m.s.Executable = expanded(app)
	params, _ := m.str("AppParameters")
	left := false
	for _, a := range SplitArgs(params) {
		m.s.Arguments = append(m.s.Arguments, expanded(a))
		left = left || strings.Count(a, "%") >= 2
	}
	if left {
		m.s.note("arguments: NSSM expanded %%VAR%% in AppParameters and the program split the result into words; " +
			"the wrapper expands each list element into one argument (a variable holding several words stays one argument)")
	}
	dir, _ := m.str("AppDirectory")
	if dir = strings.Trim(dir, `"`); dir == "" {
		dir, _ = winSplit(app) // NSSM's default: the program's folder
	}
	m.s.WorkingDirectory = expanded(dir)
}

// env maps AppEnvironment and AppEnvironmentExtra (KEY=VALUE lists).
func (m *nssm) env() {
	for _, name := range []string{"AppEnvironment", "AppEnvironmentExtra"} {
		m.used[strings.ToLower(name)] = true
		v, ok := m.k.Parameters.get(name)
		if !ok {
			continue
		}
		if name == "AppEnvironment" && len(v.Strs) > 0 {
			m.s.note("AppEnvironment replaced the whole environment; the wrapper adds its entries to the inherited one")
		}
		for _, e := range v.Strs {
			key, value, found := strings.Cut(e, "=")
			if !found {
				m.s.unmapped("%s entry %q: not KEY=VALUE, which NSSM refuses", name, e)
				continue
			}
			m.s.addEnv(key, expanded(value))
		}
	}
}

// unknown lists the Parameters values no mapping read.
func (m *nssm) unknown() {
	var names []string
	for name := range m.k.Parameters {
		if !m.used[strings.ToLower(name)] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		m.s.unmapped("%s: not an NSSM parameter this importer knows", name)
	}
}
