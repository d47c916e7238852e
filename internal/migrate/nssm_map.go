package migrate

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// NSSM's defaults and limits, from its documentation and source.
const (
	nssmThrottle    = 1500 * time.Millisecond // AppThrottle: a shorter run is throttled
	nssmFirstPause  = time.Second             // the first throttled pause; it doubles
	nssmLongest     = 128 * time.Second       // the longest throttled pause
	nssmStopStep    = 1500 * time.Millisecond // AppStopMethodConsole, AppStopMethodWindow
	nssmHookTimeout = 60 * time.Second        // a hook's deadline
)

// ms reads a number of milliseconds.
func ms(n uint64) time.Duration { return time.Duration(n) * time.Millisecond }

// exitAction names an AppExit value's action as NSSM spells it, and
// whether it is one (NSSM compares them case-insensitively).
func exitAction(v Value) (string, bool) {
	for _, a := range []string{"Restart", "Ignore", "Exit", "Suicide"} {
		if (v.Kind == String || v.Kind == ExpandString) && strings.EqualFold(strings.TrimSpace(v.Str), a) {
			return a, true
		}
	}
	return "Restart", false
}

// restart maps AppExit, AppRestartDelay and AppThrottle. NSSM never gives
// up, so neither does the wrapper (max_failures 0).
func (m *nssm) restart() {
	def, codes := "Restart", map[uint32]string{}
	for name, v := range m.k.Exit {
		act, ok := exitAction(v)
		if !ok {
			m.s.unmapped("AppExit\\%s %q: not an NSSM action (Restart, Ignore, Exit, Suicide); Restart is used", name, v.Str)
		}
		if name == "" {
			def = act
			continue
		}
		code, err := strconv.ParseUint(name, 0, 32)
		if err != nil {
			m.s.unmapped("AppExit\\%s: not an exit code, which NSSM ignores", name)
			continue
		}
		codes[uint32(code)] = act
	}
	if _, ok := codes[0]; !ok && def == "Suicide" {
		codes[0] = "Exit" // NSSM exits gracefully after 0 unless 0 itself says Suicide
	}
	with := func(acts ...string) []uint32 {
		var list []uint32
		for c, a := range codes {
			if slices.Contains(acts, a) {
				list = append(list, c)
			}
		}
		slices.Sort(list)
		return list
	}
	r := &m.s.Restart
	if def == "Exit" || def == "Ignore" {
		r.Policy = "never"
		m.num("AppThrottle") // read: without restarts they mean nothing
		m.num("AppRestartDelay")
		if again := with("Restart", "Suicide"); again != nil {
			m.s.unmapped("AppExit %s: Restart after these exit codes with the default %s: the wrapper cannot restart after chosen "+
				"exit codes only, and restarts after none (restart.policy never)", codeList(again), def)
		}
	} else {
		r.Policy = "always"
		if stops := with("Exit", "Ignore"); stops != nil {
			r.Policy, r.SuccessExitCodes = "on-failure", stops
		}
		r.MaxFailures = ptr(0)
		m.delays()
	}
	if def == "Suicide" || with("Suicide") != nil {
		m.s.note("AppExit Suicide: NSSM exited so that the SCM's recovery actions would restart the service; the wrapper restarts the program itself")
	}
	if ignore := with("Ignore"); def == "Ignore" || ignore != nil {
		m.s.unmapped("AppExit Ignore: NSSM kept the service running without the program; the wrapper stops the service")
	}
}

// codeList spells exit codes.
func codeList(codes []uint32) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = fmt.Sprint(c)
	}
	return strings.Join(s, ", ")
}

// delays maps NSSM's restart pauses. NSSM restarts after AppRestartDelay
// (0 by default); after a run shorter than AppThrottle it pauses 1s, 2s, 4s
// … up to 128s, or AppRestartDelay when that is longer. The wrapper waits
// restart.delay, doubling up to restart.max_delay, and a run of
// restart.reset_after starts again from restart.delay.
func (m *nssm) delays() {
	throttle := nssmThrottle
	if v, ok := m.num("AppThrottle"); ok {
		throttle = max(ms(v), time.Millisecond) // 0 would turn the reset off
	}
	delay := nssmFirstPause
	rd, ok := m.num("AppRestartDelay")
	if ok && rd > 0 {
		delay = ms(rd)
	} else {
		m.s.note("restart.delay 1s: NSSM restarted at once after a run longer than AppThrottle (%s) and paused only after "+
			"shorter runs; the wrapper waits restart.delay before every restart", formatDuration(throttle))
	}
	r := &m.s.Restart
	r.Delay, r.MaxDelay, r.ResetAfter = ptr(delay), ptr(max(delay, nssmLongest)), ptr(throttle)
}

// stop maps the stop methods: NSSM sends Ctrl-C, WM_CLOSE, WM_QUIT to the
// threads, then terminates, waiting a time after each; the wrapper sends
// Ctrl-C, waits stop.timeout, posts WM_CLOSE, waits stop.window_timeout,
// and ends the process tree.
func (m *nssm) stop() {
	skip, _ := m.num("AppStopMethodSkip")
	step := func(name string) time.Duration {
		if v, ok := m.num(name); ok {
			return ms(v)
		}
		return nssmStopStep
	}
	timeout, window := step("AppStopMethodConsole"), step("AppStopMethodWindow")
	threads, hasThreads := m.num("AppStopMethodThreads")
	if skip&1 != 0 {
		timeout = 0
		m.s.unmapped("AppStopMethodSkip 1 (no Ctrl-C): the wrapper always sends Ctrl-C first; stop.timeout 0 goes on to the next step at once")
	}
	if skip&2 != 0 {
		window = 0 // stop.window_timeout 0 leaves the WM_CLOSE step out
	}
	if skip&4 == 0 && hasThreads {
		m.s.unmapped("AppStopMethodThreads %s: the wrapper posts no WM_QUIT to the program's threads", formatDuration(ms(threads)))
	}
	if skip&8 != 0 {
		m.s.unmapped("AppStopMethodSkip 8 (no TerminateProcess): the wrapper always ends the process tree last")
	}
	if v, ok := m.num("AppKillProcessTree"); ok && v == 0 {
		m.s.unmapped("AppKillProcessTree 0: the wrapper's job object always ends the whole process tree")
	}
	m.s.Stop.Timeout, m.s.Stop.WindowTimeout = ptr(timeout), ptr(window)
}

// nssmHooks are the AppEvents hooks the wrapper has, by event/action.
var nssmHooks = map[string]func(h *Hooks) **Hook{
	"start/pre":  func(h *Hooks) **Hook { return &h.PreStart },
	"start/post": func(h *Hooks) **Hook { return &h.PostStart },
	"stop/pre":   func(h *Hooks) **Hook { return &h.PreStop },
	"exit/post":  func(h *Hooks) **Hook { return &h.PostStop },
}

// hooks maps AppEvents: a command line per event and action.
func (m *nssm) hooks() {
	events := make([]string, 0, len(m.k.Events))
	for e := range m.k.Events {
		events = append(events, e)
	}
	sort.Strings(events)
	found := false
	for _, event := range events {
		actions := make([]string, 0, len(m.k.Events[event]))
		for a := range m.k.Events[event] {
			actions = append(actions, a)
		}
		sort.Strings(actions)
		for _, action := range actions {
			line := m.k.Events[event][action].Str
			dst, ok := nssmHooks[strings.ToLower(event+"/"+action)]
			switch {
			case line == "":
				continue
			case !ok:
				m.s.unmapped("AppEvents\\%s\\%s: the wrapper has no hook for that event", event, action)
				continue
			case strings.Contains(strings.ToUpper(line), "%NSSM_"):
				m.s.unmapped("AppEvents\\%s\\%s: it uses NSSM's hook variables (%s); not imported", event, action, line)
				continue
			}
			var cmd []string
			for _, a := range SplitCommand(line) {
				cmd = append(cmd, expanded(a))
			}
			*dst(&m.s.Hooks), found = &Hook{Command: cmd, Timeout: ptr(nssmHookTimeout)}, true
		}
	}
	if found {
		m.s.note("hooks: NSSM's hooks got NSSM_* variables, and a Start/Pre exit code 99 aborted the start; the wrapper's get " +
			"WRAPPER_EVENT, WRAPPER_CHILD_PID, WRAPPER_EXIT_CODE and WRAPPER_RESTARTS, and any failure of hooks.pre_start prevents that start")
	}
	if v, ok := m.num("AppRedirectHook"); ok && v != 0 {
		m.s.unmapped("AppRedirectHook 1: the wrapper writes hook output to its own log")
	}
}

// misc lists the process settings the wrapper has no equivalent for.
func (m *nssm) misc() {
	if v, ok := m.num("AppNoConsole"); ok && v != 0 {
		m.s.unmapped("AppNoConsole 1: the wrapper gives the program a hidden console, through which it sends Ctrl-C")
	}
	if v, ok := m.num("AppPriority"); ok && v != 0x20 {
		m.s.Priority = m.s.priority("AppPriority "+priorityName(v), map[uint64]string{0x40: "idle", 0x4000: "below-normal",
			0x8000: "above-normal", 0x80: "high", 0x100: "realtime"}[v])
	}
	if v, ok := m.str("AppAffinity"); ok && v != "" && !strings.EqualFold(v, "All") {
		m.s.Affinity = m.s.affinity("AppAffinity "+v, v)
	}
}

// priorityName spells a priority class constant as NSSM does.
func priorityName(v uint64) string {
	names := map[uint64]string{0x100: "REALTIME_PRIORITY_CLASS", 0x80: "HIGH_PRIORITY_CLASS", 0x8000: "ABOVE_NORMAL_PRIORITY_CLASS",
		0x20: "NORMAL_PRIORITY_CLASS", 0x4000: "BELOW_NORMAL_PRIORITY_CLASS", 0x40: "IDLE_PRIORITY_CLASS"}
	if n, ok := names[v]; ok {
		return n
	}
	return fmt.Sprintf("0x%x", v)
}
