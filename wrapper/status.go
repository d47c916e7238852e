package wrapper

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/supervisor"
)

// statusFile is what a running wrapper publishes for `wrapper status`:
// <log.dir>/<name>.status.json, replaced atomically on every state change.
type statusFile struct {
	Service    string     `json:"service"`
	WrapperPID int        `json:"wrapper_pid"`
	Config     string     `json:"config"`
	State      string     `json:"state"`
	PID        int        `json:"pid,omitempty"`
	Started    *time.Time `json:"started,omitempty"`
	Restarts   int        `json:"restarts"`
	Failures   int        `json:"failures"`
	LastExit   *exitInfo  `json:"last_exit,omitempty"`
	// Health is "", "starting", "healthy" or "unhealthy"; HealthFailures
	// counts consecutive failed checks.
	Health         string `json:"health,omitempty"`
	HealthFailures int    `json:"health_failures,omitempty"`
	// Waiting names the wait_for condition or hook a start waits for.
	Waiting string `json:"waiting,omitempty"`
	// LastRestartCause is why the child was last restarted: exit, health,
	// request or update.
	LastRestartCause string     `json:"last_restart_cause,omitempty"`
	NextStart        *time.Time `json:"next_start,omitempty"`
	Logs             logPaths   `json:"logs"`
	Updated          time.Time  `json:"updated"`
}

// exitInfo is a child's last exit, with its meaning spelled out.
type exitInfo struct {
	Code    int       `json:"code"`
	Signal  string    `json:"signal,omitempty"`
	Meaning string    `json:"meaning"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
	Uptime  string    `json:"uptime"`
}

// logPaths are the files the wrapper writes.
type logPaths struct {
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
	Wrapper string `json:"wrapper"`
}

// statusPath returns where the wrapper for cfg publishes its status.
func statusPath(cfg *config.Config) string {
	return filepath.Join(cfg.Log.Dir, cfg.Name+".status.json")
}

// newStatusFile converts a supervisor snapshot.
func newStatusFile(cfg *config.Config, st supervisor.Status, now time.Time) statusFile {
	f := statusFile{
		Service: cfg.Name, WrapperPID: os.Getpid(), Config: cfg.File,
		State: string(st.State), PID: st.PID, Restarts: st.Restarts, Failures: st.Failures,
		Logs:    logPaths{Stdout: cfg.Log.Stdout, Stderr: cfg.Log.Stderr, Wrapper: cfg.Log.Wrapper},
		Updated: now,
		Health:  st.Health, HealthFailures: st.HealthFailures, Waiting: st.Waiting,
		LastRestartCause: st.LastRestartCause,
	}
	if !st.Started.IsZero() {
		f.Started = &st.Started
	}
	if !st.NextStart.IsZero() {
		f.NextStart = &st.NextStart
	}
	if e := st.LastExit; e != nil {
		f.LastExit = &exitInfo{Code: e.Code, Signal: e.Signal, Meaning: describeExit(e.Code, e.Signal),
			At: e.At, Uptime: e.Uptime.Round(time.Millisecond).String()}
		if e.Err != nil {
			f.LastExit.Error = e.Err.Error()
			f.LastExit.Meaning = "failed to start"
		}
	}
	return f
}

// statusPublisher writes status files from its own goroutine, so the
// supervisor's loop never waits on the disk: update keeps only the newest
// snapshot pending.
type statusPublisher struct {
	path    string
	pending chan statusFile
	done    chan struct{}
}

// newStatusPublisher starts the writer goroutine; call close to flush and
// stop it.
func newStatusPublisher(path string) *statusPublisher {
	p := &statusPublisher{path: path, pending: make(chan statusFile, 1), done: make(chan struct{})}
	go p.run()
	return p
}

// update queues f, replacing a snapshot not yet written.
func (p *statusPublisher) update(f statusFile) {
	for {
		select {
		case p.pending <- f:
			return
		default:
			select {
			case <-p.pending: // drop the stale one
			default:
			}
		}
	}
}

// close writes what is pending and stops the goroutine.
func (p *statusPublisher) close() {
	close(p.pending)
	<-p.done
}

func (p *statusPublisher) run() {
	defer close(p.done)
	for f := range p.pending {
		_ = writeJSONAtomic(p.path, f) // best effort: status must never disturb supervision
	}
}

// writeJSONAtomic writes v to path as indented JSON, replacing the file so
// that a reader never sees half of it (replaceFile).
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return replaceFile(path, append(b, '\n'))
}

// readStatusFile reads the status a wrapper published for cfg.
func readStatusFile(cfg *config.Config) (statusFile, error) {
	var f statusFile
	// openShared: on Windows a reader without FILE_SHARE_DELETE would make
	// the wrapper's next atomic replace of the file fail.
	fh, err := openShared(statusPath(cfg))
	if err != nil {
		return f, fmt.Errorf("read status: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(fh, 1<<20))
	fh.Close()
	if err != nil {
		return f, fmt.Errorf("read status: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("decode status %s: %w", statusPath(cfg), err)
	}
	return f, nil
}
