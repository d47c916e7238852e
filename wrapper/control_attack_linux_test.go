package wrapper

// Attacks on the control endpoint by a second account (nobody), the
// account that owns the log directory: the service's account, which the
// child runs as too. Each test performs the attack with real processes.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

func init() {
	fakechild.Register("impostor", impostorHelper)
	fakechild.Register("reach", reachHelper)
	platformHelpers = append(platformHelpers, "impostor", "reach")
}

// nobody is the attacker's account.
const nobody = 65534

// impostorHelper is the fake-child helper "impostor PATH [ASIDE]": it moves
// the socket at PATH to ASIDE (when there is one), binds its own at PATH and
// answers every request as the reproduced attack did (status "pid 1",
// "child restarting"), printing "ready" once it serves; it serves until
// its stdin closes.
func impostorHelper(args []string) int {
	if len(args) > 1 {
		if err := os.Rename(args[0], args[1]); err != nil && !os.IsNotExist(err) {
			fmt.Println("error:", err)
			return 1
		}
	}
	l, err := net.Listen("unix", args[0])
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	srv := control.Serve(netListener{l}, func(req control.Request) control.Response {
		if req.Cmd == "status" {
			return control.Response{OK: true, Status: &statusfile.Live{File: statusfile.File{Service: "svc", WrapperPID: 1, PID: 1, State: "running"}}}
		}
		return control.Response{OK: true, Message: "child restarting"}
	}, slog.New(slog.DiscardHandler))
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.Close()
	return 0
}

// netListener adapts a net.Listener to control.Listener.
type netListener struct{ net.Listener }

func (l netListener) Accept() (io.ReadWriteCloser, error) { return l.Listener.Accept() }

// reachHelper is the fake-child helper "reach PATH": it tries what an
// attacker would do to the socket at PATH and prints one line per try,
// "<try>: ok" or "<try>: <error>": connect to it, rename it aside, bind
// its own there, create its directory.
func reachHelper(args []string) int {
	path := args[0]
	res := func(err error) string {
		if err != nil {
			return err.Error()
		}
		return "ok"
	}
	c, err := net.Dial("unix", path)
	if err == nil {
		c.Close()
	}
	fmt.Println("connect:", res(err))
	fmt.Println("rename:", res(os.Rename(path, path+".aside")))
	l, err := net.Listen("unix", path)
	if err == nil {
		l.Close()
	}
	fmt.Println("bind:", res(err))
	fmt.Println("mkdir:", res(os.Mkdir(filepath.Dir(path), 0o777)))
	return 0
}

// attackBed is a folder every user can traverse holding the YAML, a log
// directory owned by nobody (as install makes it for the service account)
// and a copy of the test binary the attacker can run; and a control.RunRoot
// of the test's own (root's, mode 0755, as /run/wrapper is) for the CLI
// and the wrappers it starts.
type attackBed struct {
	dir, logs, exe string
}

func newAttackBed(t *testing.T) attackBed {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the attacker as another user")
	}
	root := sharedDir(t, 0o755)
	old := control.RunRoot
	control.RunRoot = root
	t.Cleanup(func() { control.RunRoot = old })
	t.Setenv(runRootEnv, root)
	b := attackBed{dir: sharedDir(t, 0o755)}
	b.logs = filepath.Join(b.dir, "logs")
	if err := os.Mkdir(b.logs, 0o755); err != nil || os.Chown(b.logs, nobody, nobody) != nil {
		t.Fatalf("log directory for nobody: %v", err)
	}
	path, _, _ := fakechild.Command(t, "hang")
	b.exe = copyExecutable(t, path, b.dir)
	return b
}

// asNobody returns the command that runs helper with args as nobody.
func (b attackBed) asNobody(t *testing.T, helper string, args ...string) *exec.Cmd {
	t.Helper()
	_, argv, env := fakechild.Command(t, helper, args...)
	cmd := exec.Command(b.exe, argv...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	return cmd
}

// impostor runs the impostor as nobody until the test ends and returns
// its pid.
func (b attackBed) impostor(t *testing.T, args ...string) int {
	t.Helper()
	cmd := b.asNobody(t, "impostor", args...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("impostor: %q, %v", line, err)
	}
	return cmd.Process.Pid
}

// reach runs the reach helper on path as nobody and returns its lines.
func (b attackBed) reach(t *testing.T, path string) map[string]string {
	t.Helper()
	out, err := b.asNobody(t, "reach", path).Output()
	if err != nil {
		t.Fatalf("reach: %v", err)
	}
	tries := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		tries[k] = v
	}
	if len(tries) != 4 {
		t.Fatalf("reach: %q", out)
	}
	return tries
}

// TestControlSocketOutOfServiceAccountsReach: the attack as reproduced.
// The service account renames the socket in the log directory aside and
// binds its own there, answering "pid 1" and "child restarting". The
// socket is no longer there: `status` as root shows the real wrapper and
// `restart-child` really restarts the child, and the socket's real place
// is out of the attacker's reach (it can neither connect, nor rename, nor
// bind there).
func TestControlSocketOutOfServiceAccountsReach(t *testing.T) {
	b := newAttackBed(t)
	cfg := writeFile(t, b.dir, "svc.yaml", childYAML(t, "hang", []string{"ready"}, ""))
	cmd, _ := startWrapper(t, cfg)
	waitFor(t, "the child", func() bool { return readyCount(t, b.dir) == 1 })
	old := filepath.Join(b.logs, "svc.control.sock")
	b.impostor(t, old, old+".aside")

	if rep := liveStatusOf(t, cfg); rep.Status.WrapperPID != cmd.Process.Pid {
		t.Fatalf("status shows wrapper pid %d, want %d (the impostor's answer reached the CLI)", rep.Status.WrapperPID, cmd.Process.Pid)
	}
	if code, out, errOut := runMain(t, "restart-child", "--config", cfg); code != ExitOK {
		t.Fatalf("restart-child: %d %s%s", code, out, errOut)
	}
	waitFor(t, "the child restarted for real", func() bool { return readyCount(t, b.dir) == 2 })
	for try, got := range b.reach(t, control.Address("svc")) {
		if try != "mkdir" && !strings.Contains(got, "permission denied") {
			t.Errorf("the attacker's %s on the real socket: %s; want permission denied", try, got)
		}
	}
}

// TestControlSquatBeforeStart: the service account binds a socket where the
// wrapper used to serve (the log directory) before it starts; the wrapper
// starts anyway and the CLI talks to it, and the attacker can take nothing
// at the wrapper's real place, whose parent is root's. Where an account
// does hold the place (a control directory handed to it), the wrapper
// refuses to start, exit 1, naming the squatter's pid.
func TestControlSquatBeforeStart(t *testing.T) {
	b := newAttackBed(t)
	cfg := writeFile(t, b.dir, "svc.yaml", childYAML(t, "hang", []string{"ready"}, ""))
	for try, got := range b.reach(t, control.Address("svc")) {
		if got == "ok" || (try == "mkdir" && !strings.Contains(got, "permission denied")) {
			t.Errorf("the attacker's %s at the wrapper's place before it starts: %s", try, got)
		}
	}
	b.impostor(t, filepath.Join(b.logs, "svc.control.sock"))
	cmd, stderr := startWrapper(t, cfg)
	waitFor(t, "the child despite the squatter", func() bool { return readyCount(t, b.dir) == 1 })
	if rep := liveStatusOf(t, cfg); rep.Status.WrapperPID != cmd.Process.Pid {
		t.Fatalf("status shows wrapper pid %d, want %d; wrapper stderr:\n%s", rep.Status.WrapperPID, cmd.Process.Pid, stderr)
	}

	dir := filepath.Join(control.RunRoot, "svc2")
	if err := os.Mkdir(dir, 0o700); err != nil || os.Chown(dir, nobody, nobody) != nil {
		t.Fatalf("control directory for nobody: %v", err)
	}
	pid := b.impostor(t, filepath.Join(dir, "ctl.sock"))
	cfg2 := writeFile(t, b.dir, "svc2.yaml", strings.Replace(childYAML(t, "hang", []string{"ready"}, ""), "name: svc", "name: svc2", 1))
	code, out := runToEnd(t, cfg2)
	if named := "pid " + strconv.Itoa(pid) + " (uid 65534"; code != ExitError || !strings.Contains(out, named) {
		t.Errorf("wrapper at a squatted place: exit %d, output %q; want %d naming %q", code, out, ExitError, named)
	}
}

// runToEnd runs `wrapper run --config cfg` as a process expected to stop
// by itself, and returns its exit code and output. A wrapper still running
// after a minute has started where it should not have: it is killed and
// the test fails.
func runToEnd(t *testing.T, cfg string) (int, string) {
	t.Helper()
	path, argv, env := fakechild.Command(t, "wrapper", "run", "--config", cfg)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	cmd.Wait()
	if !timer.Stop() {
		t.Fatalf("the wrapper did not stop by itself:\n%s", out.String())
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

// TestControlClientRefusesImpostor: under systemd with User=nobody, the
// wrapper serves in the RuntimeDirectory= systemd made for nobody, and the
// child, as nobody too, can rename the socket aside and bind its own. The
// CLI as root checks the socket's peer against systemd's MainPID: it
// accepts the real wrapper, and refuses the impostor, naming its pid,
// without printing its forged status or "child restarting".
func TestControlClientRefusesImpostor(t *testing.T) {
	b := newAttackBed(t)
	sd := newFakeSystemd(t, true, 0)
	run := filepath.Join(control.RunRoot, "svc")
	if err := os.Mkdir(run, 0o700); err != nil || os.Chown(run, nobody, nobody) != nil {
		t.Fatalf("RuntimeDirectory for nobody: %v", err)
	}
	hang, _, _ := fakechild.Command(t, "hang")
	cfg := writeFile(t, b.dir, "svc.yaml", strings.Replace(childYAML(t, "hang", []string{"ready"}, ""), hang, b.exe, 1))
	wrapper := b.asNobody(t, "wrapper", "run", "--config", cfg)
	if err := wrapper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wrapper.Process.Signal(syscall.SIGTERM); wrapper.Wait() })
	waitFor(t, "the child", func() bool { return readyCount(t, b.dir) == 1 })
	writeFile(t, sd.dir, "mainpid", strconv.Itoa(wrapper.Process.Pid)+"\n")
	if rep := liveStatusOf(t, cfg); rep.Status.WrapperPID != wrapper.Process.Pid {
		t.Fatalf("status of the real wrapper: pid %d, want %d", rep.Status.WrapperPID, wrapper.Process.Pid)
	}

	sock := filepath.Join(run, "ctl.sock")
	named := "pid " + strconv.Itoa(b.impostor(t, sock, sock+".aside")) + " "
	for _, cmd := range []string{"status", "restart-child"} {
		code, out, errOut := runMain(t, cmd, "--config", cfg)
		if code != ExitError || !strings.Contains(errOut, named) || !strings.Contains(errOut, "systemd") ||
			strings.Contains(out, "pid 1") || strings.Contains(out, "restarting") {
			t.Errorf("%s against the impostor: exit %d, stdout %q, stderr %q; want %d naming %q", cmd, code, out, errOut, ExitError, named)
		}
	}
}
