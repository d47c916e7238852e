package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// runs numbers the endpoints of this process's test runs (-count).
var runs atomic.Int32

// TestControlEndpointRoundTrip serves the platform endpoint (Unix socket or
// named pipe) with a fake handler, calls it concurrently, and checks that a
// second wrapper for the same service is refused.
func TestControlEndpointRoundTrip(t *testing.T) {
	dir := fakechild.WorkDir(t)
	cfg := &config.Config{Name: fmt.Sprintf("ctl%d-%d", os.Getpid(), runs.Add(1)), Log: config.Log{Dir: dir}}
	l, err := listenControl(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := serveControl(l, func(req controlRequest) controlResponse {
		if req.Cmd == "status" {
			return controlResponse{OK: true, Status: &liveStatus{statusFile: statusFile{Service: cfg.Name, State: "running"}}}
		}
		return controlResponse{Error: "unknown request " + req.Cmd}
	}, slog.New(slog.DiscardHandler))

	if _, err := listenControl(cfg); !errors.Is(err, errAlreadyRunning) {
		t.Errorf("second listen: %v, want errAlreadyRunning", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := askWrapper(cfg, "status")
			if err != nil || !resp.OK || resp.Status.State != "running" {
				t.Errorf("status: %+v, %v", resp, err)
			}
		}()
	}
	wg.Wait()
	if resp, err := askWrapper(cfg, "nope"); err != nil || resp.OK || !strings.Contains(resp.Error, "unknown request") {
		t.Errorf("unknown request: %+v, %v", resp, err)
	}
	srv.Close()
	if _, err := askWrapper(cfg, "status"); err == nil {
		t.Error("the endpoint still answers after Close")
	}
	// Closed cleanly, the endpoint can be served again (a restarted wrapper).
	l2, err := listenControl(cfg)
	if err != nil {
		t.Fatalf("listen after close: %v", err)
	}
	l2.Close()
}
