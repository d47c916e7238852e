// Package fleet is the fleet view: every service that a wrapper registered
// with Consul, across hosts, each as its wrapper reports it over its HTTP
// API when that is reachable, else as the registry has it.
package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
)

// statusTimeout bounds one wrapper's GET /status: a wrapper that does not
// answer quickly is shown from the registry instead.
const statusTimeout = 3 * time.Second

// maxStatus bounds the body read from a wrapper: a status is a few KiB.
const maxStatus = 1 << 20

// parallel is how many wrappers are asked at once.
const parallel = 8

// Sources of a row.
const (
	SourceLive     = "live"     // the wrapper's own GET /status
	SourceRegistry = "registry" // the registry's check, as the wrapper last reported it
)

// Options say where to look.
type Options struct {
	// Consul is the agent's HTTP API (host:port or an http:// or https://
	// URL); "" is registry.DefaultAddress.
	Consul string
	// ConsulToken is the ACL token for the catalog; "" is Consul's own
	// CONSUL_HTTP_TOKEN, if set.
	ConsulToken string
	// StatusToken is the bearer token of the wrappers' HTTP API. "" reads
	// the registry only.
	StatusToken string
	// Client asks the wrappers; nil is a client with a 3 s timeout.
	Client *http.Client
	// Now is the clock uptimes are measured with; nil is time.Now.
	Now func() time.Time
}

// Row is one service instance.
type Row struct {
	// Host is the Consul node; Service the service name; ID the
	// instance's ID on its node (the wrapper's name).
	Host    string `json:"host"`
	Service string `json:"service"`
	ID      string `json:"id"`
	// State is the wrapper's state (running, backoff, ...); "unknown" when
	// its check expired.
	State string `json:"state"`
	// Health is the instance's health in Consul: passing, warning,
	// critical or maintenance.
	Health string `json:"health"`
	// ChildHealth is the child's health check result, when it has one.
	ChildHealth string `json:"child_health,omitempty"`
	// Restarts counts the child's restarts; PID is the running child's
	// process id, known only from a live status.
	Restarts int `json:"restarts"`
	PID      int `json:"pid,omitempty"`
	// Started is when the running child started; Uptime is the time since,
	// in seconds; both absent when no child runs.
	Started *time.Time `json:"started,omitempty"`
	Uptime  *int64     `json:"uptime_seconds,omitempty"`
	// Source is SourceLive or SourceRegistry; StatusError says why a
	// published /status was not used.
	Source      string `json:"source"`
	StatusURL   string `json:"status_url,omitempty"`
	StatusError string `json:"status_error,omitempty"`
	// Note is the wrapper's one-line description, from the registry.
	Note string `json:"note,omitempty"`
}

// Gather lists the fleet: the instances the registry knows, each completed
// from its wrapper's GET /status when the instance publishes its HTTP
// address (meta wrapper_http) and a token is given. Only a registry that
// cannot be read is an error; a wrapper that cannot be asked is noted in its
// row.
func Gather(ctx context.Context, opts Options) ([]Row, error) {
	instances, err := registry.Instances(ctx, opts.Consul, opts.ConsulToken)
	if err != nil {
		return nil, err
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: statusTimeout}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rows := make([]Row, len(instances))
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for i, in := range instances {
		rows[i] = fromRegistry(in)
		base := strings.TrimRight(in.Meta[registry.MetaHTTP], "/")
		if base == "" || opts.StatusToken == "" {
			continue
		}
		rows[i].StatusURL = base + "/status"
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			live, err := readStatus(ctx, opts.Client, rows[i].StatusURL, opts.StatusToken)
			if err != nil {
				rows[i].StatusError = err.Error()
				return
			}
			rows[i].fromLive(live)
		})
	}
	wg.Wait()
	now := opts.Now()
	for i := range rows {
		if r := &rows[i]; r.Started != nil {
			up := int64(now.Sub(*r.Started) / time.Second)
			r.Uptime = &up
		}
	}
	return rows, nil
}

// fromRegistry is a row as the registry has it.
func fromRegistry(in registry.Instance) Row {
	r := Row{Host: in.Node, Service: in.Service, ID: in.ID, Health: in.Status, Source: SourceRegistry, State: "unknown"}
	if !in.HasReport {
		return r
	}
	rep := in.Report
	r.Note, r.ChildHealth, r.Restarts = rep.Note, rep.Health, rep.Restarts
	if in.Expired {
		r.Note = "the wrapper stopped updating its check (TTL expired); last: " + rep.Note
		return r
	}
	r.State = rep.State
	if rep.State == "running" && !rep.Started.IsZero() {
		started := rep.Started
		r.Started = &started
	}
	return r
}

// fromLive completes r from the wrapper's own status.
func (r *Row) fromLive(st *statusfile.Live) {
	r.Source, r.State, r.ChildHealth, r.Restarts, r.PID = SourceLive, st.State, st.Health, st.Restarts, st.PID
	r.Started = nil
	if st.State == "running" && st.Started != nil {
		started := *st.Started
		r.Started = &started
	}
}

// readStatus asks one wrapper for GET /status with the bearer token. It
// accepts the live status itself and, as `wrapper status --json` prints
// it, that status under "status".
func readStatus(ctx context.Context, c *http.Client, url, token string) (*statusfile.Live, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxStatus))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	var doc struct {
		statusfile.Live
		Status *statusfile.Live `json:"status"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a wrapper status: %w", url, err)
	}
	live := &doc.Live
	if doc.Status != nil {
		live = doc.Status
	}
	if live.State == "" {
		return nil, fmt.Errorf("%s: %w", url, errNoState)
	}
	return live, nil
}

var errNoState = errors.New("not a wrapper status (no state)")
