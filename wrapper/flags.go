package wrapper

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
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
		if c, ok := commands()[name]; ok && c.summary != "" {
			fmt.Fprintf(stdout, "%s.\n\n", strings.ToUpper(c.summary[:1])+c.summary[1:])
		}
		printFlags(stdout, fs)
	})
	return fs
}

// printFlags lists the flags as the synopses spell them (--config FILE,
// -n N), where the flag package would write -config file.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + strings.ToUpper(arg)
		}
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %s%s%s\n        %s\n", dash, f.Name, arg, usage)
	})
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
