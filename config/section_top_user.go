package config

// The top-level keys user and group: the account the program runs as when
// the wrapper runs as root, as supervisord's user=. How they relate to
// service.user (the account systemd runs the wrapper as) is checked here;
// whether the account exists, and whether the wrapper may switch to it, is
// checked where the wrapper runs.

import (
	"fmt"
	"slices"
)

// account resolves user and group, given the resolved service section,
// and refuses what cannot work: either on Windows, group without user,
// and combinations with service.user and service.capabilities that the
// wrapper could not carry out under systemd.
func (rs *resolver) account(r *raw, svc Service) (user, group string) {
	user = rs.token(r.user, "user")
	group = rs.token(r.group, "group")
	switch {
	case rs.windows && (user != "" || group != ""):
		line, key := r.user.line, "user"
		if user == "" {
			line, key = r.group.line, "group"
		}
		rs.ps.add(line, key, "not on Windows, where the program runs as the service's account: "+
			"name that account with service.account, and remove %s", key)
		return "", ""
	case group != "" && user == "":
		rs.ps.add(r.group.line, "group", "needs user: it is the primary group of the account the program runs as")
		return "", group
	case user == "":
		return "", ""
	}
	if key, msg := userConflict(user, group, svc); key != "" {
		line := r.user.line
		if key == "group" {
			line = r.group.line
		}
		rs.ps.add(line, key, "%s", msg)
	}
	return user, group
}

// CheckUser reports, as "user: message" or "group: message", why the
// program cannot run as c.User under c.Service as it is now: `wrapper
// install --csv` checks it again after its account column replaced
// service.user. nil when it can.
func (c *Config) CheckUser() error {
	if c.User == "" {
		return nil
	}
	if key, msg := userConflict(c.User, c.Group, c.Service); key != "" {
		return fmt.Errorf("%s: %s", key, msg)
	}
	return nil
}

// userConflict returns the key and the message of the first reason why
// the wrapper, running under systemd as svc says, could not run the
// program as user and group (user not empty); "" when it could.
func userConflict(user, group string, svc Service) (key, msg string) {
	if svc.User != "" && !isRootName(svc.User) {
		switch {
		case user != svc.User:
			return "user", fmt.Sprintf("%q differs from service.user %q, the account systemd runs the wrapper as, "+
				"which cannot switch accounts without root: set service.user: root to have the wrapper run the program as %q, "+
				"or write the same account in both", user, svc.User, user)
		case group != "" && group != svc.Group:
			return "group", fmt.Sprintf("%q differs from service.group %q: the wrapper runs as service.user %q, "+
				"which cannot change its group without root: write the same group in both, or set service.user: root",
				group, svc.Group, svc.User)
		}
		return "", ""
	}
	if len(svc.Capabilities) > 0 && user != svc.User {
		return "user", fmt.Sprintf("the switch to %q would drop service.capabilities (the kernel clears the "+
			"capabilities of root when it becomes another user): set service.user: %s to run the service as that "+
			"account with its capabilities, and remove user", user, user)
	}
	return "", ""
}

// isRootName reports whether a user name names the superuser, by name or
// by id.
func isRootName(name string) bool { return slices.Contains([]string{"root", "0"}, name) }
