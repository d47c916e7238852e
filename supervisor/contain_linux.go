package supervisor

import (
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
)

// holdTrees prepares the wrapper process for one Run: it settles the
// containment mode (logged) and holds what the mode needs: the subreaper
// attribute and the reaper of orphans. A mode asked for and unavailable is
// an error.
func holdTrees(want Containment, log *slog.Logger) (held, error) {
	mode, parent, why := resolveContainment(want)
	if mode == "" {
		return held{}, why
	}
	var undo []func()
	h := held{release: func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}}
	attrs := []any{"mode", mode}
	if mode == ContainCgroup {
		attrs = append(attrs, "cgroup", parent)
	} else {
		u, err := adoptOrphans()
		if err != nil && want == ContainSubreaper {
			return held{}, err
		}
		if err != nil {
			log.Warn("processes that leave the child's process group are not contained", "err", err)
		}
		undo = append(undo, u)
		attrs = append(attrs, "reason", why)
	}
	log.Info("process tree containment", attrs...)
	return h, nil
}

// adoptOrphans makes this process a child subreaper with its reaper
// running, and returns the function that undoes both. It refuses when /proc
// shows another pid namespace (a container made with unshare -p but without
// its own /proc): the reaper could not tell its children there, and orphans
// adopted and never reaped would stay zombies.
func adoptOrphans() (undo func(), err error) {
	if !procMatches() {
		return func() {}, errors.New("/proc shows another pid namespace")
	}
	unbecome, err := becomeSubreaper()
	if err != nil {
		return func() {}, err
	}
	stop := startReaping()
	return func() { unbecome(); stop() }, nil // the last pass reaps the last arrivals
}

// resolveContainment returns the mode that want comes to here, with the
// cgroup directory for ContainCgroup and, for ContainSubreaper chosen
// automatically, why no cgroup is used. For ContainCgroup asked for and
// unavailable, mode is empty and err says why.
func resolveContainment(want Containment) (mode Containment, parent string, err error) {
	if want == ContainSubreaper {
		return ContainSubreaper, "", nil
	}
	parent, err = cgroupParent()
	switch {
	case err == nil:
		return ContainCgroup, parent, nil
	case want == ContainCgroup:
		return "", "", fmt.Errorf("cgroup containment unavailable: %w", err)
	}
	return ContainSubreaper, "", err
}

// treeCgroup makes the cgroup of a child that cmd is about to start, and
// sets cmd up to start the child in it, when want comes to ContainCgroup;
// otherwise it returns nil.
func treeCgroup(cmd *exec.Cmd, want Containment) (*cgroup, error) {
	mode, parent, err := resolveContainment(want)
	switch mode {
	case "":
		return nil, err
	case ContainSubreaper:
		return nil, nil
	}
	cg, err := makeCgroup(parent)
	if err != nil {
		return nil, err
	}
	cg.into(cmd.SysProcAttr)
	return cg, nil
}
