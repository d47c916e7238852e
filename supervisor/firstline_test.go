package supervisor

import (
	"bufio"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// startFirstLine starts fake-child helper name as a process (killed at the
// end of the test) and returns it with the first line it prints on stdout;
// it fails the test when none comes within waitLimit.
func startFirstLine(t *testing.T, name string) (*exec.Cmd, string) {
	t.Helper()
	path, argv, env := fakechild.Command(t, name)
	cmd := exec.Command(path, argv...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		line <- sc.Text()
	}()
	select {
	case l := <-line:
		return cmd, l
	case <-time.After(waitLimit):
		t.Fatalf("%s printed nothing", name)
		return nil, ""
	}
}
