//go:build unix

package systemd

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNotifyMessages drives notifyState through a service's life: READY=1
// once, when ready first holds, STATUS= only when its text changes,
// STOPPING=1 once, and no READY=1 after it.
func TestNotifyMessages(t *testing.T) {
	steps := []struct {
		stop  bool
		ready bool
		text  string
		want  string
	}{
		{text: "starting the child", want: "STATUS=starting the child"},
		{text: "child running, pid 7, starting", want: "STATUS=child running, pid 7, starting"},
		{ready: true, text: "child running, pid 7, healthy", want: "READY=1\nSTATUS=child running, pid 7, healthy"},
		{ready: true, text: "child running, pid 7, healthy", want: ""},
		{text: "child exited with code 1; restarting", want: "STATUS=child exited with code 1; restarting"},
		{ready: true, text: "child running, pid 8", want: "STATUS=child running, pid 8"},
		{stop: true, want: "STOPPING=1"},
		{stop: true, want: ""},
		{text: "stopping the child", want: "STATUS=stopping the child"},
	}
	var n notifyState
	for i, s := range steps {
		var got string
		if s.stop {
			got, n = n.onStop()
		} else {
			got, n = n.onStatus(s.ready, s.text)
		}
		if got != s.want {
			t.Errorf("step %d: message %q, want %q", i, got, s.want)
		}
	}
	var late notifyState
	_, late = late.onStop()
	if msg, _ := late.onStatus(true, "child running, pid 3"); strings.Contains(msg, "READY=1") {
		t.Errorf("READY=1 after STOPPING=1: %q", msg)
	}
}

// TestNotifySockets sends through a filesystem socket and an abstract one
// ("@name", which systemd uses in containers and user managers), and
// checks that without $NOTIFY_SOCKET there is no Notifier.
func TestNotifySockets(t *testing.T) {
	for _, name := range []string{
		filepath.Join(t.TempDir(), "notify"),
		fmt.Sprintf("@wrapper-test-%d-%d", os.Getpid(), time.Now().UnixNano()),
	} {
		t.Run(name[:1], func(t *testing.T) {
			c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			read := func() string {
				t.Helper()
				if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, 4096)
				n, _, err := c.ReadFrom(buf)
				if err != nil {
					t.Fatalf("no notification: %v", err)
				}
				return string(buf[:n])
			}
			t.Setenv(EnvNotifySocket, name)
			n := NewNotifier(slog.New(slog.DiscardHandler))
			if n == nil {
				t.Fatal("no Notifier with NOTIFY_SOCKET set")
			}
			n.Update(true, "child running, pid 42")
			if msg := read(); msg != "READY=1\nSTATUS=child running, pid 42" {
				t.Errorf("first message %q, want READY=1 and the status", msg)
			}
			n.Stopping()
			if msg := read(); msg != "STOPPING=1" {
				t.Errorf("after the stop request: %q, want STOPPING=1", msg)
			}
		})
	}
	for _, v := range []string{"", "vsock:2:1234"} {
		t.Setenv(EnvNotifySocket, v)
		if n := NewNotifier(slog.New(slog.DiscardHandler)); n != nil {
			t.Errorf("NOTIFY_SOCKET=%q gave a Notifier", v)
		}
	}
}
