package wrapper

import (
	"bytes"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// listenNotify opens a unixgram socket standing in for systemd's, with
// SO_PASSCRED so that each datagram carries its sender's pid, as systemd
// needs for NotifyAccess=main.
func listenNotify(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)
	}); err != nil || serr != nil {
		t.Fatalf("SO_PASSCRED: %v %v", err, serr)
	}
	return c
}

// readNotify returns the next datagram and its sender's pid.
func readNotify(t *testing.T, c *net.UnixConn) (string, int) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf, oob := make([]byte, 4096), make([]byte, 1024)
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		t.Fatalf("no notification: %v", err)
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no credentials with the datagram: %v", err)
	}
	cred, err := syscall.ParseUnixCredentials(&msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n]), int(cred.Pid)
}

// TestRunNotifiesSystemd runs a whole wrapper process as systemd would, with
// $NOTIFY_SOCKET: READY=1 arrives from the wrapper's own pid (not the
// child's) once the child runs, and SIGTERM brings STOPPING=1 before the
// wrapper exits 0.
func TestRunNotifiesSystemd(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(t.TempDir(), "notify")
	c := listenNotify(t, sock)
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "hang", []string{"ready"}, ""))
	path, argv, env := fakechild.Command(t, "wrapper", "run", "--config", cfg)
	cmd := exec.Command(path, argv...)
	cmd.Env = append(env, envNotifySocket+"="+sock)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// On a failure below, end the wrapper (its child dies with it); after
	// the Wait at the end the kill fails harmlessly.
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var msgs []string
	for !strings.Contains(strings.Join(msgs, "\n"), "READY=1") {
		msg, pid := readNotify(t, c)
		if pid != cmd.Process.Pid {
			t.Fatalf("notification %q from pid %d, not the wrapper's %d (NotifyAccess=main would drop it)", msg, pid, cmd.Process.Pid)
		}
		msgs = append(msgs, msg)
	}
	if !strings.Contains(msgs[len(msgs)-1], "STATUS=child running, pid ") {
		t.Errorf("READY=1 came without the running status: %q", msgs)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for msg := ""; msg != "STOPPING=1"; {
		msg, _ = readNotify(t, c)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wrapper exit: %v; stderr:\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "cannot notify systemd") {
		t.Errorf("the wrapper reported a notify failure:\n%s", stderr.String())
	}
}
