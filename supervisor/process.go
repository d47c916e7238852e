package supervisor

import (
	"github.com/wrapper-dev/wrapper/internal/starttrace"

	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// defaultDrainTimeout bounds the wait for the output pumps after the child
// exited and what was left of its tree was killed. Only a process outside
// the tree can keep them open that long: one that got the pipe from
// outside (through /proc), a Windows process outside the Job Object, or,
// on Unix systems other than Linux, a daemon that left the process group.
const defaultDrainTimeout = 5 * time.Second

// process is one started child as the supervisor's loop sees it: the seam
// between the loop and the operating system, replaced by fakes in tests.
// Only the loop's goroutine calls the methods.
type process interface {
	// pid returns the child's process id.
	pid() int
	// done delivers exactly one Exit (Code, Signal, At; the loop fills in
	// Uptime) once the child has exited, what was left of its process tree
	// has been killed and its output has been drained or cut off (see
	// pipes.drain).
	done() <-chan Exit
	// step takes a step of the stop ladder that acts on the child itself:
	// StepSignal, StepCtrlC, StepCtrlBreak or StepCloseStdin (the loop
	// takes the others). An error wrapping errStepSkipped means the step
	// could not reach the child at all, so there is nothing to wait for.
	step(s StopStep) error
	// kill kills the child's whole process tree. It does not wait.
	kill() error
}

// windowCloser is implemented by processes that can take StepWMClose
// (Windows).
type windowCloser interface {
	// closeWindows posts WM_CLOSE to every top-level window of the child's
	// process tree and returns how many were posted; 0 skips the step.
	closeWindows() (int, error)
}

// signaler is implemented by processes that can take a signal forwarded
// by the loop (see held.forward): the child only, not its group, as tini
// forwards by default.
type signaler interface {
	signal(sig os.Signal) error
}

// errStepSkipped is wrapped by process.step when a step cannot reach the
// child (a Windows child without a console gets no Ctrl-C). The loop then
// goes on to the next step at once rather than wait the step's timeout
// for an exit that nothing asked for.
var errStepSkipped = errors.New("stop step skipped")

// spawner starts real children. Its start method is the Supervisor's
// default start function.
type spawner struct {
	opts  Options       // normalized
	drain time.Duration // bound on the pump wait after exit
	// main is set for the supervised child, not for hooks and probes: in
	// ContainSubreaper mode the wrapper's orphans die with its tree.
	main bool
}

// child is a started OS process.
type child struct {
	cmd  *exec.Cmd
	exit chan Exit
	// tree is the platform's hold on the child's process tree (process
	// group, Job Object). own sets it before reporting a successful start.
	tree *tree
	// stdin is the write end of the child's StdinOpen pipe; nil for the
	// other modes.
	stdin *os.File
}

func (c *child) pid() int              { return c.cmd.Process.Pid }
func (c *child) done() <-chan Exit     { return c.exit }
func (c *child) kill() error           { return c.tree.kill() }
func (c *child) usage() (Usage, error) { return c.tree.usage() }

// step takes the steps that act on the child (see process.step).
func (c *child) step(s StopStep) error {
	if s.Kind == StepCloseStdin {
		return c.closeStdin()
	}
	return c.tree.step(s)
}

// signal sends sig to the child alone (see signaler).
func (c *child) signal(sig os.Signal) error { return c.cmd.Process.Signal(sig) }

// start starts one child. The child is started, waited for and reaped by a
// dedicated goroutine (see own), which reports the start result back.
func (sp *spawner) start() (process, error) {
	o := sp.opts
	cmd := sp.command()
	in, err := openStdin(cmd, o.Stdin, o.Account)
	if err != nil {
		return nil, err
	}
	p, err := newPipes(cmd, o.Stdout, o.Stderr)
	if err != nil {
		in.started()
		closeKept(in)
		return nil, err
	}
	c := &child{cmd: cmd, exit: make(chan Exit, 1), stdin: in.keep}
	started := make(chan error, 1)
	go sp.own(c, p, in, started)
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

// command returns the command of one start. The supervised child (main)
// is started in a process group of its own when a StepCtrlBreak may
// target it (see ownProcessGroup).
func (sp *spawner) command() *exec.Cmd {
	o := sp.opts
	cmd := exec.Command(o.Path, o.Args...)
	cmd.Dir = o.Dir
	cmd.Env = o.Env
	cmd.SysProcAttr = sysProcAttr()
	if a := o.Account; a != nil {
		if cmd.Env == nil {
			cmd.Env = os.Environ()
		}
		cmd.Env = append(slices.Clip(cmd.Env), a.Env...)
		runAs(cmd.SysProcAttr, a)
	}
	if sp.main && hasKind(o.Stop.Steps, StepCtrlBreak) {
		ownProcessGroup(cmd.SysProcAttr)
	}
	return cmd
}

// closeKept closes the stdin pipe's write end of a child that never ran.
func closeKept(in stdinEnds) {
	if in.keep != nil {
		_ = in.keep.Close()
	}
}

// own starts the child, waits for it, kills what is left of its tree,
// drains its output and reports the exit. It runs on a locked OS thread
// from Start until the child is reaped: Linux's parent-death signal fires
// when the thread that forked the child exits, not the process.
func (sp *spawner) own(c *child, p *pipes, in stdinEnds, started chan<- error) {
	unlock := lockThread()
	// On Linux the child's priority and CPUs are this thread's at the
	// fork; the thread gets the wrapper's back once the child is forked.
	restore, err := threadSched(sp.opts)
	restored := sync.OnceValue(restore)
	if err == nil {
		// On failure begin has already killed and reaped the child.
		c.tree, err = begin(c.cmd, sp.opts, sp.main, func() { restored() })
	}
	if !restored() {
		// The thread keeps the child's priority: the goroutine ends with
		// the thread locked, and the runtime ends the thread with it.
		unlock = func() {}
	}
	// The child holds its own copies of the write ends now; while ours are
	// open the pumps would never see EOF.
	p.closeWriters()
	in.started()
	if err != nil {
		unlock()
		p.closeReaders()
		closeKept(in)
		started <- err
		return
	}
	p.pump(sp.opts.Logger)
	started <- nil
	werr := c.cmd.Wait()
	at := time.Now()
	starttrace.Mark("child-exited")
	unlock()
	closeKept(in) // the pipe no one reads any more
	// Kill what is left of the tree even when the child exited by itself:
	// grandchildren must not outlive it, nor hold the pipes open.
	if err := c.tree.reap(sp.drain); err != nil {
		sp.opts.Logger.Warn("kill process tree", "err", err)
	}
	p.drain(sp.drain, sp.opts.Logger)
	c.tree.release()
	e := Exit{Code: -1, At: at}
	if ps := c.cmd.ProcessState; ps != nil {
		e.Code, e.Signal = exitStatus(ps)
	} else {
		sp.opts.Logger.Warn("wait for child", "err", werr)
	}
	starttrace.Mark("child-reaped")
	c.exit <- e
}

// pipes are the parent's ends of one child's output pipes. The supervisor
// owns them (rather than letting os/exec copy) so that it decides when to
// stop waiting for output that a stray grandchild keeps open.
type pipes struct {
	readers, writers []*os.File
	sinks            []io.ReaderFrom
	names            []string
	wg               sync.WaitGroup
	// cut is set when drain stops waiting for the output: from then on
	// every read ends its pump, discarding what it got (see cutReader).
	cut atomic.Bool
}

// newPipes creates a pipe for every non-nil destination and gives cmd the
// write end. A nil destination leaves cmd's stream nil: the null device.
func newPipes(cmd *exec.Cmd, stdout, stderr io.ReaderFrom) (*pipes, error) {
	p := &pipes{}
	streams := []struct {
		name string
		dst  io.ReaderFrom
		set  func(*os.File)
	}{
		{"stdout", stdout, func(w *os.File) { cmd.Stdout = w }},
		{"stderr", stderr, func(w *os.File) { cmd.Stderr = w }},
	}
	for _, s := range streams {
		if s.dst == nil {
			continue
		}
		r, w, err := outputPipe()
		if err != nil {
			p.closeWriters()
			p.closeReaders()
			return nil, fmt.Errorf("create %s pipe: %w", s.name, err)
		}
		s.set(w)
		p.readers = append(p.readers, r)
		p.writers = append(p.writers, w)
		p.sinks = append(p.sinks, s.dst)
		p.names = append(p.names, s.name)
	}
	return p, nil
}

// pump starts one goroutine per pipe that hands the read end to its sink.
func (p *pipes) pump(log *slog.Logger) {
	for i, r := range p.readers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			_, err := p.sinks[i].ReadFrom(cutReader{r, &p.cut})
			if err != nil && !errors.Is(err, os.ErrClosed) {
				log.Warn("child output", "stream", p.names[i], "err", err)
			}
		}()
	}
}

// cutReader reads f until drain sets cut; a read that returns after that
// reports os.ErrClosed and drops its bytes: output of a stray process
// that arrives after the drain timeout, or wake's byte.
type cutReader struct {
	f   *os.File
	cut *atomic.Bool
}

func (c cutReader) Read(b []byte) (int, error) {
	if c.cut.Load() {
		return 0, os.ErrClosed
	}
	n, err := c.f.Read(b)
	if c.cut.Load() {
		return 0, os.ErrClosed
	}
	return n, err
}

// drain waits for the pumps to reach EOF and closes the read ends. After
// timeout (a process outside the tree holds a pipe open) it cuts the
// output off: it sets cut and wakes reads in progress (wake: on Unix the
// reads block in the kernel, and closing the descriptor would not end
// them), repeating the wake every wakeRetry where one wake can miss a read
// that starts just after it (Windows). Then it waits for the pumps again,
// as long, and closes the read ends. A pump still running then is blocked
// in its sink (a write to a hung disk) or in a read nothing could wake (a
// Unix without /proc); it is left to end by itself, and says so.
func (p *pipes) drain(timeout time.Duration, log *slog.Logger) {
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		p.closeReaders()
		return
	case <-t.C:
	}
	var holders []string
	for _, r := range p.readers {
		holders = append(holders, pipeHolders(r)...)
	}
	if len(holders) > 0 {
		log.Warn("child output still open after exit; closing it", "after", timeout, "held_by", strings.Join(holders, ", "))
	} else {
		log.Warn("child output still open after exit; closing it", "after", timeout)
	}
	p.cut.Store(true)
	p.wake()
	var retry <-chan time.Time
	if wakeRetry > 0 {
		tick := time.NewTicker(wakeRetry)
		defer tick.Stop()
		retry = tick.C
	}
	t.Reset(timeout)
	for {
		select {
		case <-done:
			p.closeReaders()
			return
		case <-retry:
			p.wake()
		case <-t.C:
			log.Warn("child output still not closed; leaving its reader behind", "after", 2*timeout)
			// Windows' Close waits for a read in progress to end.
			go p.closeReaders()
			return
		}
	}
}

func (p *pipes) closeWriters() {
	for _, w := range p.writers {
		_ = w.Close()
	}
}

// closeReaders closes the read ends. Closing twice is harmless: the second
// Close reports os.ErrClosed, which is ignored.
func (p *pipes) closeReaders() {
	for _, r := range p.readers {
		_ = r.Close()
	}
}
