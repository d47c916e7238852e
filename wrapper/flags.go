package wrapper

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sync"

	"github.com/wrapper-dev/wrapper/config"
)

// usages holds each flag set's help printer. The flag package calls
// FlagSet.Usage itself on -help and on every bad flag, which would print the
// help twice after -help and to stdout after a mistake; so Usage does
// nothing and parseFlags prints the help, once, when it was asked for.
var usages sync.Map // *flag.FlagSet → func()

// newFlagSet returns a flag set for command name whose --help text starts
// with synopsis. Errors go to stderr; --help goes to stdout.
func newFlagSet(name, synopsis string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("wrapper "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	usages.Store(fs, func() {
		fmt.Fprintf(stdout, "Usage: wrapper %s\n\n", synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	})
	return fs
}

// parseFlags parses args into fs. done reports that the command must return
// code at once: after --help (0) or a bad flag (ExitUsage).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		if usage, ok := usages.Load(fs); ok {
			usage.(func())()
		}
		return ExitOK, true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", fs.Name(), err, fs.Name())
		return ExitUsage, true
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q\nRun '%s --help' for usage.\n", fs.Name(), fs.Arg(0), fs.Name())
		return ExitUsage, true
	}
	return 0, false
}

// configFlagUsage is the help text of every command's --config flag.
const configFlagUsage = "configuration `file` (default: <exe-name>.yaml, else wrapper.yaml, beside the executable)"

// manageFlags parses [--config FILE] for a management command and loads the
// configuration, which names the service.
func manageFlags(name string, args []string, stdout, stderr io.Writer) (*config.Config, string, int) {
	fs := newFlagSet(name, name+" [--config FILE]", stdout)
	path := fs.String("config", "", configFlagUsage)
	if code, done := parseFlags(fs, args, stderr); done {
		return nil, "", code
	}
	cfg, code := loadConfig(*path, stderr)
	return cfg, *path, code
}
