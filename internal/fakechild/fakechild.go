// Package fakechild lets a test binary be its own fake child process, in the
// style of Go's os/exec tests: the test starts its own executable with an
// environment variable naming a helper, and TestMain, seeing the variable,
// runs that helper instead of the tests.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { fakechild.Main(m, "echo", "hang") }
//
// and in a test:
//
//	path, args, env := fakechild.Command(t, "echo", "hello")
//
// Main fails a full test run when a declared helper was never used, so the
// declared list stays honest.
//
// Built-in helpers (arguments in brackets are optional):
//
//	echo [word...]           each word on its own stdout line; exit 0
//	stderr [word...]         each word on its own stderr line; exit 0
//	exit N [line...]         the lines on stdout, then exit with code N
//	hang [line...]           the lines on stdout, then sleep until killed
//	ignore-term              ignore SIGTERM and Interrupt, print "ready", sleep
//	grandchild [detach|setsid] [ignore-term]
//	                         start a "hang" grandchild that shares stdout and
//	                         stderr, print its pid, sleep; with detach the
//	                         grandchild leaves the process group (Unix) or
//	                         starts a new one (Windows), with setsid it starts
//	                         a session of its own (Unix; Windows: as detach);
//	                         with ignore-term the grandchild runs ignore-term
//	                         instead of hang (it prints "ready" when set)
//	orphan [ignore-term]     start a grandchild as grandchild setsid does,
//	                         print its pid and exit 0 at once, leaving it an
//	                         orphan that holds stdout and stderr
//	double-fork [ignore-term]
//	                         run orphan as a child and wait for its exit, as
//	                         a daemon forks twice; then print "orphaned" and
//	                         sleep: the grandchild's parent is gone while
//	                         this process still runs
//	flood N                  N lines "line 1" ... "line N"; exit 0
//	longline N               one line of N 'x' bytes; exit 0
//	env                      the environment, one variable per line; exit 0
//	cwd                      the working directory; exit 0
//	write-then-exit [text]   text (default "partial") without a newline; exit 0
//	write-bytes HEX...       each argument, hex-decoded, in a write of its
//	                         own to stdout (for bytes that are no text, cut
//	                         where the test chooses); exit 0
//	alloc MB [grandchild]    write to every page of MB megabytes, print
//	                         "allocated", sleep; with grandchild, start a
//	                         grandchild that does so (sharing stdout and
//	                         stderr) and sleep without allocating
//	burn                     print "burning", keep one CPU busy until killed
//	serve [ADDR] [eof] [ignore-term]
//	                         an HTTP server on ADDR (default 127.0.0.1:0, a
//	                         free port): print "listening http://HOST:PORT",
//	                         answer GET with "ok"; a POST to /stop is
//	                         answered "stopping", then the server prints
//	                         "stopped by post" and exits 0; with eof it also
//	                         reads stdin and at its end prints "stdin
//	                         closed" and exits 0 (as development servers
//	                         do); with ignore-term it ignores SIGTERM and
//	                         Interrupt (Ctrl-C, Ctrl-Break)
//	post URL                 POST to URL, print the status; exit 0 on 2xx,
//	                         else 1
//	cat                      copy stdin to stdout; exit 0
//
// A command that inherits a helper's environment (a hook, a stop step's
// command) runs that helper; Inherit returns the arguments that make it
// run another.
package fakechild

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// EnvVar is the environment variable that names the helper a re-executed
// test binary runs.
const EnvVar = "WRAPPER_FAKECHILD"

// helperFlag, as the first argument of a re-executed test binary, names
// the helper it runs instead of EnvVar's (see Inherit).
const helperFlag = "-fakechild.helper="

// Func is a helper. It runs in the child process with the helper's
// arguments and returns the process's exit code.
type Func func(args []string) int

// registry holds the helpers of this test binary.
type registry struct {
	mu       sync.Mutex
	helpers  map[string]Func
	declared map[string]bool
	used     map[string]bool
	problems []string // reported by Main
	atExit   []func() // run by Main after the tests
}

// reg is the test binary's registry. It is filled in init because some
// built-in helpers use Spec, which reads reg.
var reg *registry

func init() { reg = newRegistry() }

func newRegistry() *registry {
	r := &registry{helpers: map[string]Func{}, declared: map[string]bool{}, used: map[string]bool{}}
	for name, fn := range builtins() {
		r.helpers[name] = fn
	}
	return r
}

// Register adds a helper specific to one test package, such as a helper
// that runs the package's own code in a separate process. Call it before
// Main (from TestMain or an init function) in every process: the child
// needs it to run the helper. Registering a name twice is reported by Main.
func Register(name string, fn Func) { reg.register(name, fn) }

// AtExit registers f to run in the test process once the tests have run,
// before Main exits (never in a helper process): the clean-up of set-up
// that TestMain makes for every test, such as a directory they share.
func AtExit(f func()) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.atExit = append(reg.atExit, f)
}

// Main runs the helper named by EnvVar and exits with its code when the
// variable is set; otherwise it runs the tests and exits with their code.
// helpers declares the helpers the package's tests use: Command refuses
// others, and a full run (no -run, -skip or -list filter, not -short) that
// passes but never used one of them fails with a message.
func Main(m *testing.M, helpers ...string) {
	if name := os.Getenv(EnvVar); name != "" {
		args := os.Args[1:]
		if len(args) > 0 && strings.HasPrefix(args[0], helperFlag) {
			name, args = strings.TrimPrefix(args[0], helperFlag), args[1:]
		}
		os.Exit(run(name, args))
	}
	if err := reg.declare(helpers); err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: %v\n", err)
		os.Exit(2)
	}
	code := m.Run()
	reg.mu.Lock()
	atExit := reg.atExit
	reg.mu.Unlock()
	for _, f := range atExit {
		f()
	}
	if unused := reg.unused(); code == 0 && fullRun() && len(unused) > 0 {
		fmt.Fprintf(os.Stderr, "fakechild: FAIL: helpers declared but never used: %s\n",
			strings.Join(unused, ", "))
		code = 1
	}
	os.Exit(code)
}

// Command returns the program, arguments and environment that run helper
// name with args as a child process, and records that the helper was used.
// It fails t when the helper was not declared to Main.
func Command(t testing.TB, name string, args ...string) (path string, argv []string, env []string) {
	t.Helper()
	if !reg.use(name) {
		t.Fatalf("fakechild: helper %q not declared to fakechild.Main", name)
	}
	path, argv, env, err := Spec(name, args...)
	if err != nil {
		t.Fatalf("fakechild: %v", err)
	}
	return path, argv, env
}

// Inherit is Command for a process that inherits the environment of
// another helper's process, whose EnvVar names that helper: a hook or a
// stop step's command of a supervised helper. The arguments begin with a
// flag that names helper name, which Main prefers to EnvVar.
func Inherit(t testing.TB, name string, args ...string) (path string, argv []string) {
	t.Helper()
	path, argv, _ = Command(t, name, args...)
	return path, append([]string{helperFlag + name}, argv...)
}

// Spec is Command for use inside a helper, where there is no test: it
// returns how to run helper name with args, without recording anything.
// env is the current environment with EnvVar set to name.
func Spec(name string, args ...string) (path string, argv []string, env []string, err error) {
	reg.mu.Lock()
	_, ok := reg.helpers[name]
	reg.mu.Unlock()
	if !ok {
		return "", nil, nil, fmt.Errorf("unknown helper %q", name)
	}
	path, err = os.Executable()
	if err != nil {
		return "", nil, nil, fmt.Errorf("locate test binary: %w", err)
	}
	return path, slices.Clone(args), Env(name), nil
}

// Env returns the current environment with EnvVar set to name (and no other
// value of it). It also adds atexit_sleep_ms=0 to GORACE: a binary built
// with -race sleeps a second at exit by default, which would make every
// helper that exits take a second.
func Env(name string) []string {
	var env []string
	race := "atexit_sleep_ms=0"
	for _, kv := range os.Environ() {
		// Case-insensitive: Windows variable names are.
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.EqualFold(k, EnvVar):
		case strings.EqualFold(k, "GORACE"):
			race = v + " " + race
		default:
			env = append(env, kv)
		}
	}
	return append(env, EnvVar+"="+name, "GORACE="+race)
}

// WorkDir returns a new empty temporary directory, removed at the end of
// the test, for use as a child process's working directory (or any empty
// directory). It is t.TempDir plus a cleanup, run first, that removes the
// directory by its path: under Wine, Go's RemoveAll cannot delete a
// subdirectory through its parent's handle ("unlinkat: Invalid function"),
// which makes t.TempDir's own cleanup fail, while removing the directory by
// path works and leaves that cleanup nothing to do.
func WorkDir(t testing.TB) string {
	dir := t.TempDir()
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// run runs helper name in the child process.
func run(name string, args []string) int {
	reg.mu.Lock()
	fn, ok := reg.helpers[name]
	reg.mu.Unlock()
	if !ok {
		fmt.Fprintf(os.Stderr, "fakechild: unknown helper %q\n", name)
		return 2
	}
	return fn(args)
}

func (r *registry) register(name string, fn Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.helpers[name]; dup {
		r.problems = append(r.problems, fmt.Sprintf("helper %q registered twice", name))
		return
	}
	r.helpers[name] = fn
}

// declare records the helpers the tests may use.
func (r *registry) declare(names []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	problems := slices.Clone(r.problems)
	for _, n := range names {
		if _, ok := r.helpers[n]; !ok {
			problems = append(problems, fmt.Sprintf("unknown helper %q declared", n))
			continue
		}
		r.declared[n] = true
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// use records a use of name and reports whether it was declared.
func (r *registry) use(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.declared[name] {
		return false
	}
	r.used[name] = true
	return true
}

// unused returns the declared helpers never used, sorted.
func (r *registry) unused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for n := range r.declared {
		if !r.used[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// fullRun reports whether every test ran: only then can an unused helper be
// blamed on the declaration rather than on a filter.
func fullRun() bool {
	for _, name := range []string{"test.run", "test.skip", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}
