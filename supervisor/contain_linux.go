package supervisor

import (
	"github.com/wrapper-dev/wrapper/internal/starttrace"

	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"

	"golang.org/x/sys/unix"
)

// holdTrees prepares the wrapper process for one Run: it settles the
// containment mode (logged) and holds what the mode needs: the subreaper
// attribute, the reaper of orphans (also whenever the wrapper is PID 1,
// since every orphan of its pid namespace comes to it) and, as PID 1, the
// signals to forward. A mode asked for and unavailable is an error.
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
		undo = append(undo, shareCgroupWatch(parent))
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
	pid1 := os.Getpid() == 1
	if pid1 && !procMatches() {
		log.Warn("orphans are not reaped: /proc shows another pid namespace")
	}
	if pid1 {
		undo = append(undo, startReaping())
		c := make(chan os.Signal, 8)
		signal.Notify(c, forwardedSignals...)
		h.forward = c
		undo = append(undo, func() { signal.Stop(c) })
		attrs = append(attrs, "pid1", true)
	}
	starttrace.Mark("containment")
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

// forwardedSignals are the signals that a wrapper running as PID 1 passes
// on to the child, as tini does. The kernel delivers to PID 1 only the
// signals it handles, so without this `docker kill -s USR1` would reach
// nothing. SIGTERM and SIGINT are not among them: they stop the child
// through the stop ladder; nor SIGHUP, which the host may use for itself.
var forwardedSignals = []os.Signal{unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH}

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
