package fakechild

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"
)

func init() { testHelpers = append(testHelpers, "serve", "post", "cat") }

// startServe starts the serve helper with a stdin pipe and returns it, the
// pipe and its URL.
func startServe(t *testing.T, args ...string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner, string) {
	t.Helper()
	cmd, in, sc := StartPiped(t, "serve", args...)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "listening http://") {
		t.Fatalf("first line %q, %v", sc.Text(), sc.Err())
	}
	return cmd, in, sc, strings.TrimPrefix(sc.Text(), "listening ")
}

// TestServeStopsAtEOF: serve eof answers while its stdin is open and
// exits 0 at its end.
func TestServeStopsAtEOF(t *testing.T) {
	cmd, in, sc, url := startServe(t, "eof")
	GetOK(t, url)
	in.Close()
	if !sc.Scan() || sc.Text() != "stdin closed" {
		t.Fatalf("line %q, %v", sc.Text(), sc.Err())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestServeStopsOnPost: post, run with serve's environment through
// Inherit (as a stop step's command is), stops serve, which ignores its
// stdin without eof.
func TestServeStopsOnPost(t *testing.T) {
	cmd, in, sc, url := startServe(t)
	defer in.Close()
	path, argv := Inherit(t, "post", url+"/stop")
	c := exec.Command(path, argv...)
	c.Env = cmd.Env // EnvVar=serve
	var out bytes.Buffer
	c.Stdout = &out
	if err := c.Run(); err != nil || out.String() != "200 OK\n" {
		t.Fatalf("post: %v, %q", err, out.String())
	}
	if !sc.Scan() || sc.Text() != "stopped by post" {
		t.Fatalf("line %q, %v", sc.Text(), sc.Err())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	c = exec.Command(path, append(argv[:1:1], url+"/stop")...)
	c.Env = cmd.Env
	if err := c.Run(); err == nil {
		t.Fatal("post to a stopped server succeeded")
	}
}
