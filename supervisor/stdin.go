package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// StdinMode is what the child's standard input is.
type StdinMode string

// The standard input modes.
const (
	// StdinNull (the default, empty) gives the child the null device: it
	// reads end of file at once.
	StdinNull StdinMode = ""
	// StdinOpen gives the child the read end of a pipe whose write end the
	// supervisor holds open and never writes to, until the StepCloseStdin
	// step of a stop or the child's exit: a child that stops at end of file
	// on its standard input (many development servers and REPL-like tools)
	// keeps running.
	StdinOpen StdinMode = "open"
	// StdinFile opens Stdin.File read-only at every start and gives it to
	// the child as its standard input. A file that cannot be opened fails
	// that start.
	StdinFile StdinMode = "file"
)

// Stdin is the child's standard input. Hooks and command probes always get
// the null device.
type Stdin struct {
	// Mode is the kind of input. Default (empty) StdinNull.
	Mode StdinMode
	// File is StdinFile's file. A relative path is relative to the
	// wrapper's working directory, not the child's.
	File string
}

// validStdin reports the problem with in, or nil.
func validStdin(in Stdin) error {
	switch in.Mode {
	case StdinNull, StdinOpen:
		if in.File != "" {
			return fmt.Errorf("stdin file %q given with mode %q: want mode %q", in.File, in.Mode, StdinFile)
		}
	case StdinFile:
		if in.File == "" {
			return errors.New("stdin mode file without a file")
		}
	default:
		return fmt.Errorf("stdin mode %q: want %q, %q or empty (the null device)", in.Mode, StdinOpen, StdinFile)
	}
	return nil
}

// stdinEnds are the supervisor's ends of a child's standard input.
type stdinEnds struct {
	// keep is StdinOpen's write end, held until closeStdin; nil for the
	// other modes.
	keep *os.File
	// give is the child's end (the pipe's read end, the open file), which
	// the supervisor closes once the child has started: the child holds
	// its own copy, and the supervisor's would keep a pipe from reaching
	// end of file after close_stdin.
	give *os.File
}

// openStdin sets cmd's standard input as in says. The pipe comes from
// os.Pipe on every system, as os/exec's StdinPipe (which the Windows
// console host uses) makes it: its ends are not inheritable, and os/exec
// passes the read end alone to the child, so no other child (a hook, a
// probe started meanwhile) holds the write end and delays end of file.
func openStdin(cmd *exec.Cmd, in Stdin, acct *Account) (stdinEnds, error) {
	switch in.Mode {
	case StdinOpen:
		r, w, err := os.Pipe()
		if err != nil {
			return stdinEnds{}, fmt.Errorf("create stdin pipe: %w", err)
		}
		cmd.Stdin = r
		return stdinEnds{keep: w, give: r}, nil
	case StdinFile:
		f, err := os.Open(in.File)
		if err != nil {
			return stdinEnds{}, fmt.Errorf("open stdin file: %w", err)
		}
		// The wrapper opens the file with its own rights, often root's; a
		// child of another account must get only what that account could
		// read itself, whatever the path led to (a link its account
		// planted, say).
		if err := readableBy(f, acct); err != nil {
			_ = f.Close()
			return stdinEnds{}, fmt.Errorf("stdin file %s: %w", in.File, err)
		}
		cmd.Stdin = f
		return stdinEnds{give: f}, nil
	}
	return stdinEnds{}, nil // cmd.Stdin nil: os/exec opens the null device
}

// started closes the child's end once the child holds its own copy (or
// could not start).
func (e stdinEnds) started() {
	if e.give != nil {
		_ = e.give.Close()
	}
}

// closeStdin closes the write end of the child's StdinOpen pipe: the child
// reads end of file once it has read what is buffered (nothing: the
// supervisor never writes). Closing it again, after the child's exit, is
// harmless. It wraps errStepSkipped when there is no pipe.
func (c *child) closeStdin() error {
	if c.stdin == nil {
		return fmt.Errorf("%w: the child's standard input is not a pipe the wrapper holds (stdin: open)", errStepSkipped)
	}
	if err := c.stdin.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("close the child's standard input: %w", err)
	}
	return nil
}
