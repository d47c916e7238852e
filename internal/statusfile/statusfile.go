// Package statusfile publishes and reads what a running wrapper says about
// itself: <log.dir>/<name>.status.json, replaced atomically on every state
// change, read by `wrapper status` when the control endpoint does not
// answer. It knows nothing of YAML or of the supervisor: the wrapper fills
// in a File.
package statusfile

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// File is what a running wrapper publishes.
type File struct {
	Service    string `json:"service"`
	WrapperPID int    `json:"wrapper_pid"`
	// WrapperStart is when the wrapper process started, as ProcessStart
	// reports it: with WrapperPID it tells the wrapper from a later process
	// given the same pid. 0 when unknown. A string in JSON: the Windows
	// value exceeds what JSON readers that use doubles hold exactly.
	WrapperStart uint64 `json:"wrapper_start,omitempty,string"`
	Config       string `json:"config"`
	State        string `json:"state"`
	PID          int    `json:"pid,omitempty"`
	// Started is when the child started; nil while none runs.
	Started  *time.Time `json:"started,omitempty"`
	Restarts int        `json:"restarts"`
	Failures int        `json:"failures"`
	LastExit *Exit      `json:"last_exit,omitempty"`
	// Health is "", "starting", "healthy" or "unhealthy"; HealthFailures
	// counts consecutive failed checks.
	Health         string `json:"health,omitempty"`
	HealthFailures int    `json:"health_failures,omitempty"`
	// Waiting names the wait_for condition or hook a start waits for.
	Waiting string `json:"waiting,omitempty"`
	// LastRestartCause is why the child was last restarted: exit, health,
	// request, update, schedule or limit.
	LastRestartCause string `json:"last_restart_cause,omitempty"`
	// LastLimit is the limit breach of the last restart for a limit.
	LastLimit *Limit `json:"last_limit,omitempty"`
	// LastStop says how the child's last graceful stop ended: which stop
	// step ended it, or the kill.
	LastStop *Stop `json:"last_stop,omitempty"`
	// NextStart is when a child backing off starts again.
	NextStart *time.Time `json:"next_start,omitempty"`
	// NextScheduledRestart is when the next scheduled restart
	// (restart.every, restart.at) is due; nil when none is.
	NextScheduledRestart *time.Time `json:"next_scheduled_restart,omitempty"`
	Logs                 Logs       `json:"logs"`
	// StderrTail holds the last lines the child wrote to stderr, kept in
	// the file so that `status` shows them after the wrapper has ended.
	StderrTail []string  `json:"stderr_tail,omitempty"`
	Updated    time.Time `json:"updated"`
}

// Exit is a child's last exit, with its meaning spelled out.
type Exit struct {
	Code    int       `json:"code"`
	Signal  string    `json:"signal,omitempty"`
	Meaning string    `json:"meaning"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
	Uptime  string    `json:"uptime"`
}

// Limit is a limit breach that restarted the child.
type Limit struct {
	// Breach says what went over which limit for how long, as in "memory
	// 1.2 GB > 1 GB for 5m".
	Breach string    `json:"breach"`
	At     time.Time `json:"at"`
}

// Stop is how a graceful stop of the child ended.
type Stop struct {
	// Step is the number (from 1) of the stop step that ended the child;
	// 0 for the kill and for an exit during the pre_stop hook.
	Step int `json:"step"`
	// By is that step's kind (signal, ctrl_c, ctrl_break, wm_close,
	// close_stdin, http, command), kill or pre_stop.
	By string `json:"by"`
	// After is the time from the start of the stop (the pre_stop hook
	// included) to the child's exit.
	After string `json:"after"`
	// Meaning says it for a person: "step 2 (close_stdin) after 300ms".
	Meaning string    `json:"meaning"`
	At      time.Time `json:"at"`
}

// Logs are the files the wrapper writes.
type Logs struct {
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
	Wrapper string `json:"wrapper"`
}

// Live is the status a running wrapper reports on request: the published
// file's fields plus what only the live process knows.
type Live struct {
	File
	// DroppedBytes counts log bytes lost to write errors, per file.
	DroppedBytes map[string]int64 `json:"dropped_bytes,omitempty"`
}

// Path returns where the wrapper for service name publishes its status.
func Path(logDir, name string) string {
	return filepath.Join(logDir, name+".status.json")
}

// maxSize bounds what Read accepts: a status file is a few hundred bytes,
// and the file lives in a directory a weaker account may write.
const maxSize = 1 << 20

// Read reads a published status file.
func Read(path string) (File, error) {
	var f File
	// OpenShared: on Windows a reader without FILE_SHARE_DELETE would make
	// the wrapper's next replace of the file fail.
	fh, err := OpenShared(path)
	if err != nil {
		return f, fmt.Errorf("read status: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(fh, maxSize))
	fh.Close()
	if err != nil {
		return f, fmt.Errorf("read status %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("decode status %s: %w", path, err)
	}
	return f, nil
}
