package fakechild

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"testing"
)

// StartPiped starts helper name with pipes on its stdin and stdout, for a
// test that talks to it line by line, and returns it with the write end
// of its stdin and a scanner on its stdout. The helper is killed and
// reaped when the test ends.
func StartPiped(t testing.TB, name string, args ...string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	path, argv, env := Command(t, name, args...)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, in, bufio.NewScanner(out)
}

// GetOK GETs url from the serve helper and fails t unless it answers "ok".
func GetOK(t testing.TB, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok\n" {
		t.Fatalf("GET %s: %s %q", url, resp.Status, body)
	}
}
