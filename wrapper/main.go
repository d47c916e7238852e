// Package wrapper hosts the supervisor: it parses the command line, loads the
// YAML configuration and runs the child either in the foreground (`wrapper
// run`) or as a Windows service. It is the only package that knows config,
// supervisor and logrotate together; it translates the config into their
// Options.
package wrapper

import (
	"github.com/wrapper-dev/wrapper/internal/starttrace"

	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
)

// command is one sub-command of the CLI.
type command struct {
	name    string
	summary string
	hidden  bool
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the sub-commands; platform files add theirs through
// platformCommands.
func commands() map[string]command {
	cmds := map[string]command{
		"run":           {name: "run", summary: "run the configured child in the foreground until Ctrl-C or SIGTERM", run: cmdRun},
		"validate":      {name: "validate", summary: "check a configuration file and report every problem", run: cmdValidate},
		"status":        {name: "status", summary: "show the service's and the child's state (--json for scripts)", run: cmdStatus},
		"restart-child": {name: "restart-child", summary: "restart only the child; the wrapper (service) keeps running", run: controlCommand("restart-child")},
		"rotate":        {name: "rotate", summary: "rotate the log files now", run: controlCommand("rotate")},
		"reload":        {name: "reload", summary: "re-read the YAML; invalid changes are refused and the old config kept", run: controlCommand("reload")},
		"logs":          {name: "logs", summary: "print the child's log (-f follows it across rotations)", run: cmdLogs},
		"fleet":         {name: "fleet", summary: "fleet status: every service a wrapper registered with Consul, across hosts", run: cmdFleet},
		"demo":          {name: "demo", summary: "run a built-in demo: a child that writes lines and crashes now and then", run: cmdDemo},
		"import":        {name: "import", summary: "write the YAML for an NSSM service or a WinSW XML, and optionally run that service with the wrapper", run: cmdImport},
		"version":       {name: "version", summary: "print the version", run: cmdVersion},
		"help":          {name: "help", summary: "show help for a command", run: cmdHelp},
		"demo-child":    {name: "demo-child", summary: "the demo's child process", hidden: true, run: cmdDemoChild},
	}
	for _, c := range platformCommands() {
		cmds[c.name] = c
	}
	return cmds
}

// Main runs the wrapper with args (without the program name) and returns the
// process exit code. stdout and stderr receive the CLI's own output.
func Main(args []string, stdout, stderr io.Writer) int {
	starttrace.Mark("main")
	defer starttrace.Mark("exit")
	if handled, code := serviceEntry(args, stderr); handled {
		return code
	}
	if len(args) == 0 {
		usage(stderr)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return ExitOK
	case "-v", "-version", "--version":
		name = "version"
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "wrapper: unknown command %q\n\n", name)
		usage(stderr)
		return ExitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

// usage prints the top-level help.
func usage(w io.Writer) {
	fmt.Fprint(w, `wrapper turns any program into a supervised service.

Usage:
  wrapper <command> [flags]

Commands:
`)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n, c := range cmds {
		if !c.hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, cmds[n].summary)
	}
	fmt.Fprint(w, `
Without --config, the configuration is <exe-name>.yaml beside the executable,
else wrapper.yaml beside it.
`)
	fmt.Fprint(w, "\nExit codes:\n")
	for _, c := range exitCodes {
		fmt.Fprintf(w, "  %d  %s\n", c.code, strings.ReplaceAll(c.meaning, "`", ""))
	}
	fmt.Fprint(w, "\nRun 'wrapper help <command>' for a command's flags.\n")
}

// cmdHelp prints the top-level help or a command's flags.
func cmdHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stdout)
		return ExitOK
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wrapper: unknown command %q\n", args[0])
		return ExitUsage
	}
	return cmd.run([]string{"--help"}, stdout, stderr)
}

// Version is the wrapper's version, set at build time with
// -ldflags "-X github.com/wrapper-dev/wrapper/wrapper.Version=v1.2.3".
// When empty, the module version or VCS revision from the build info is used.
var Version = ""

// version returns the best version string available.
func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

// cmdVersion prints the version, Go version and platform.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "version", stdout)
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	fmt.Fprintf(stdout, "wrapper %s (%s %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}
