//go:build unix

package supervisor

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// TestRunHookKillsTree: a hook abandoned by its context is killed with its
// whole process group, here a grandchild that holds its output pipe.
func TestRunHookKillsTree(t *testing.T) {
	path, argv, env := fakechild.Command(t, "grandchild")
	lb := &logBuf{}
	lines := newSink() // wakes the test on every log line
	log := slog.New(slog.NewTextHandler(teeWriter{lb, lines}, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- runHook(ctx, hookRun{event: eventPreStop, hook: Hook{Argv: append([]string{path}, argv...), Timeout: time.Hour},
			dir: fakechild.WorkDir(t), env: env, log: log})
	}()
	re := regexp.MustCompile(`msg="hook output" .* line=(\d+)$`)
	line := lines.waitLine(t, re.MatchString)
	pid, _ := strconv.Atoi(re.FindStringSubmatch(line)[1])
	killLater(t, pid)
	cancel()
	if err := waitErr(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("runHook = %v, want context.Canceled", err)
	}
	waitGone(t, pid)
}

// teeWriter writes to a log buffer and to a sink that wakes waiters.
type teeWriter struct {
	lb *logBuf
	s  *sink
}

func (w teeWriter) Write(p []byte) (int, error) {
	w.s.add(string(p))
	return w.lb.Write(p)
}
