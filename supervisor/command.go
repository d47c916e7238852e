package supervisor

import (
	"context"
)

// runCommand runs one short-lived command, a hook or a CommandProbe, the
// way the child is run: in a process tree of its own (a process group on
// Unix, what the Windows tree handling provides there), its output pipes
// handed to o.Stdout and o.Stderr, what is left of its tree killed when it
// exits. It waits for the command. When ctx ends first, the whole tree is
// killed and the error is ctx's. A start failure is returned as the error
// too. o needs Path and a Logger; Restart and Stop are not used.
func runCommand(ctx context.Context, o Options) (Exit, error) {
	if err := ctx.Err(); err != nil {
		return Exit{Code: -1}, err
	}
	p, err := (&spawner{opts: o, drain: defaultDrainTimeout}).start()
	if err != nil {
		return Exit{Code: -1, Err: err}, err
	}
	select {
	case e := <-p.done():
		return e, nil
	case <-ctx.Done():
	}
	if err := p.kill(); err != nil {
		o.Logger.Warn("kill process tree", "path", o.Path, "err", err)
	}
	return <-p.done(), ctx.Err()
}
