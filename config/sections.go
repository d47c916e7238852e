package config

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
)

// restart applies defaults to the restart section and cross-checks it.
func (rs *resolver) restart(r *rawRestart) Restart {
	out := Restart{
		Policy:           or(r.policy, PolicyOnFailure),
		Delay:            or(r.delay, defaultDelay),
		ResetAfter:       or(r.resetAfter, defaultResetAfter),
		MaxFailures:      or(r.maxFailures, defaultMaxFailures),
		SuccessExitCodes: []int{0},
		FatalExitCodes:   []int{},
	}
	// An unset max_delay follows a delay above the 1m default rather than
	// making the user's delay an error.
	out.MaxDelay = or(r.maxDelay, max(defaultMaxDelay, out.Delay))
	if r.maxDelay.set && !r.delay.bad && out.MaxDelay < out.Delay {
		rs.ps.add(r.maxDelay.line, "restart.max_delay", "must be at least restart.delay (%v), got %v", out.Delay, out.MaxDelay)
	}
	if r.success.set {
		out.SuccessExitCodes = values(r.success.v)
	}
	if r.fatal.set {
		out.FatalExitCodes = values(r.fatal.v)
	}
	for i, c := range r.fatal.v {
		if r.fatal.set && !r.success.bad && slices.Contains(out.SuccessExitCodes, c.v) {
			rs.ps.add(c.line, fmt.Sprintf("restart.fatal_exit_codes[%d]", i), "exit code %d is also in restart.success_exit_codes", c.v)
		}
	}
	return out
}

func values[T any](vs []val[T]) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = v.v
	}
	return out
}

// log resolves the log paths (dir against BaseDir, files against dir) and
// applies defaults.
func (rs *resolver) log(r *rawLog, name string) Log {
	out := Log{
		Dir:        filepath.Join(rs.base, "logs"),
		MaxSize:    or(r.maxSize, defaultMaxSize),
		MaxFiles:   or(r.maxFiles, defaultMaxFiles),
		MaxAge:     or(r.maxAge, 0),
		Compress:   or(r.compress, false),
		Timestamps: or(r.timestamps, false),
	}
	dirOK := !r.dir.bad
	if r.dir.set {
		out.Dir, dirOK = rs.path(r.dir, "log.dir", rs.base)
	}
	files := []struct {
		v    val[string]
		key  string
		dst  *string
		base string
	}{
		{r.stdout, "log.stdout", &out.Stdout, name + ".out.log"},
		{r.stderr, "log.stderr", &out.Stderr, name + ".err.log"},
		{r.wrapper, "log.wrapper", &out.Wrapper, name + ".wrapper.log"},
	}
	ok := dirOK
	for _, f := range files {
		*f.dst = filepath.Join(out.Dir, f.base)
		if f.v.set {
			p, good := rs.path(f.v, f.key, out.Dir)
			*f.dst = p
			ok = ok && good
		}
		ok = ok && !f.v.bad
	}
	if ok {
		for _, other := range files[:2] {
			if samePath(out.Wrapper, *other.dst) {
				rs.ps.add(max(r.wrapper.line, other.v.line), "log.wrapper", "must differ from %s (both are %s)", other.key, out.Wrapper)
			}
		}
	}
	return out
}

// maxRecovery is the largest service manager restart delay: Windows stores
// it in milliseconds in a 32-bit field.
const maxRecovery = math.MaxUint32 * time.Millisecond

// service applies defaults to the service section and checks its values.
func (rs *resolver) service(r *rawService) Service {
	out := Service{
		StartMode:     or(r.startMode, StartAuto),
		Dependencies:  []string{},
		Recovery:      slices.Clone(defaultRecovery),
		RecoveryReset: or(r.recoveryReset, defaultRecoveryReset),
	}
	for i, d := range r.dependencies.v {
		key := fmt.Sprintf("service.dependencies[%d]", i)
		if d.v == "" {
			rs.ps.add(d.line, key, "must not be empty")
		} else if rs.singleLine(d, key, 256) {
			out.Dependencies = append(out.Dependencies, d.v)
		}
	}
	if r.recovery.set {
		out.Recovery = values(r.recovery.v)
	}
	for i, d := range r.recovery.v {
		if d.v > maxRecovery {
			rs.ps.add(d.line, fmt.Sprintf("service.recovery[%d]", i), "too long (%v, at most %v)", d.v, maxRecovery)
		}
	}
	if s, ok := rs.expand(r.account, "service.account"); ok && rs.singleLine(val[string]{v: s, line: r.account.line}, "service.account", 256) {
		out.Account = s
	}
	if r.passwordEnv.set && r.passwordEnv.v != "" {
		if err := checkEnvName(r.passwordEnv.v); err != nil {
			rs.ps.add(r.passwordEnv.line, "service.password_env", "%v", err)
		}
		out.PasswordEnv = r.passwordEnv.v
	}
	out.User = rs.token(r.user, "service.user")
	out.Group = rs.token(r.group, "service.group")
	out.Capabilities = rs.capabilities(r.capabilities.v)
	return out
}

// token checks a user or group name: no white space or control characters,
// as it becomes a systemd User=/Group= value.
func (rs *resolver) token(v val[string], key string) string {
	if strings.IndexFunc(v.v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		rs.ps.add(v.line, key, "must not contain spaces or control characters")
		return ""
	}
	return v.v
}
