package config

import "time"

// defaultHookTimeout is the default of hooks.*.timeout.
const defaultHookTimeout = 30 * time.Second

// Hooks are commands run around every life of the program.
type Hooks struct {
	// PreStart runs before every start, after wait_for; a failure prevents
	// that start and counts as a failed start.
	PreStart Hook
	// PostStart runs after every start, beside the program; a failure is
	// only logged.
	PostStart Hook
	// PreStop runs before every graceful stop (not when the program exits
	// by itself); the stop request follows it whatever its result.
	PreStop Hook
	// PostStop runs after every exit of the program, before the restart
	// decision.
	PostStop Hook
	// OnGiveUp runs when the wrapper gives up (restart.max_failures),
	// before it exits with code 4; a failure is only logged.
	OnGiveUp Hook
}

// Hook is one hook command.
type Hook struct {
	// Command is the program and its arguments, never run through a shell;
	// Command[0] is resolved like Executable. nil means no hook.
	Command []string
	// Timeout bounds one run; a hook that takes longer is killed with its
	// process tree and has failed. Default: 30s.
	Timeout time.Duration
}

// rawHooks is the hooks section as written.
type rawHooks struct {
	preStart, postStart, preStop, postStop, onGiveUp rawHook
}

// rawHook is one hook; line is its key's.
type rawHook struct {
	line    int
	command val[[]val[string]]
	timeout val[time.Duration]
}

// hooksField is the hooks section's entry in the field table.
func hooksField(r *rawHooks) field {
	hook := func(name string, h *rawHook) field {
		return field{name: name, line: &h.line, sub: []field{
			{name: "command", decode: command(&h.command)},
			{name: "timeout", decode: duration(&h.timeout)},
		}}
	}
	return field{name: "hooks", sub: []field{
		hook("pre_start", &r.preStart),
		hook("post_start", &r.postStart),
		hook("pre_stop", &r.preStop),
		hook("post_stop", &r.postStop),
		hook("on_give_up", &r.onGiveUp),
	}}
}

// hooks resolves the hooks section.
func (rs *resolver) hooks(r *rawHooks) Hooks {
	hook := func(h *rawHook, key string) Hook {
		rs.positive(h.timeout, key+".timeout")
		if !written(h.command) && written(h.timeout) {
			rs.ps.add(h.line, key, "command is required (the hook's program and arguments, as a list)")
		}
		return Hook{Command: rs.command(h.command, key+".command"), Timeout: or(h.timeout, defaultHookTimeout)}
	}
	return Hooks{
		PreStart:  hook(&r.preStart, "hooks.pre_start"),
		PostStart: hook(&r.postStart, "hooks.post_start"),
		PreStop:   hook(&r.preStop, "hooks.pre_stop"),
		PostStop:  hook(&r.postStop, "hooks.post_stop"),
		OnGiveUp:  hook(&r.onGiveUp, "hooks.on_give_up"),
	}
}
