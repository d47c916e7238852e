// Package registry registers a running wrapper's service with Consul and
// reads back what wrappers registered: the only package that imports
// github.com/hashicorp/consul/api.
//
// A Registrar registers the service at start with a TTL check, keeps that
// check at the wrapper's own verdict (Report), re-registers when the agent
// has lost the registration, and deregisters at Close. All of it runs in one
// goroutine of its own: a registry that is down or slow delays nothing but
// the registration, which is retried with backoff. Instances lists the
// services that wrappers registered, across the datacenter, for the fleet
// view.
//
// What the wrapper publishes is a contract between a Registrar and
// Instances: the tag Tag, the meta keys MetaMarker, MetaVersion and
// MetaHTTP, and the check's output (Report.Output, read by ParseOutput).
package registry

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Check statuses, as Consul spells them.
const (
	Passing  = "passing"
	Warning  = "warning"
	Critical = "critical"
)

// What marks a service as registered by a wrapper.
const (
	// Tag is added to the service's tags; Instances finds services by it.
	Tag = "wrapper"
	// MetaMarker is a meta key whose value is MarkerValue; Instances skips
	// instances without it (another program's instance of a service of the
	// same name).
	MetaMarker = "wrapper"
	// MarkerValue is the version of this contract.
	MarkerValue = "1"
	// MetaVersion holds the wrapper's version.
	MetaVersion = "wrapper_version"
	// MetaHTTP, when the operator publishes it, is the base URL of the
	// wrapper's HTTP API (http://host:port), where the fleet view reads
	// GET /status.
	MetaHTTP = "wrapper_http"
)

// DefaultAddress is the local Consul agent's HTTP API, as Consul's own
// tools default to it.
const DefaultAddress = "127.0.0.1:8500"

// DefaultTTL is the TTL of the check: the wrapper refreshes it every third
// of that, so one lost update does not turn the service critical, and a
// wrapper that dies without deregistering turns critical within it.
const DefaultTTL = 30 * time.Second

// Service is what a wrapper registers.
type Service struct {
	// ID identifies the instance on its agent: the wrapper's service name,
	// unique on a host.
	ID string
	// Name is the Consul service name.
	Name string
	// Port is the service's port; 0 registers none.
	Port int
	// Tags are the service's tags; Tag is added.
	Tags []string
	// Meta is the service's meta data; MetaMarker and MetaVersion are
	// added.
	Meta map[string]string
	// Version is the value of MetaVersion.
	Version string
	// DeregisterCriticalAfter makes Consul remove the service once its
	// check has been critical this long; 0 never does.
	DeregisterCriticalAfter time.Duration
}

// CheckID is the ID of the service's TTL check: Consul's own default for a
// service's single check, written out so that updates need not guess it.
func (s Service) CheckID() string { return "service:" + s.ID }

// Report is the wrapper's verdict on its child, as the TTL check carries it.
type Report struct {
	// Status is Passing, Warning or Critical.
	Status string
	// Note says it in one line for people ("child running, pid 42").
	Note string
	// State is the supervisor's state (running, backoff, ...).
	State string
	// Health is the child's health check result ("", starting, healthy,
	// unhealthy).
	Health string
	// Restarts counts the child's restarts.
	Restarts int
	// Started is when the current child started; zero when none runs.
	Started time.Time
}

// Output is the check's output: the note, then one line of key=value fields
// that ParseOutput reads back. Consul shows the output as written, so both
// lines stay readable in its UI.
func (r Report) Output() string {
	var b strings.Builder
	b.WriteString(r.Note)
	fmt.Fprintf(&b, "\nstate=%s restarts=%d", orDash(r.State), r.Restarts)
	if r.Health != "" {
		b.WriteString(" health=" + r.Health)
	}
	if !r.Started.IsZero() {
		b.WriteString(" started=" + r.Started.UTC().Format(time.RFC3339))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ParseOutput reads what Output wrote (Status is not in the output; the
// caller has the check's). ok is false when the output has no field line:
// a check another program updates.
func ParseOutput(out string) (r Report, ok bool) {
	out = strings.TrimRight(out, "\n")
	i := strings.LastIndexByte(out, '\n')
	if i < 0 {
		return r, false
	}
	r.Note = out[:i]
	for f := range strings.FieldsSeq(out[i+1:]) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "state":
			r.State, ok = v, true
		case "health":
			r.Health = v
		case "restarts":
			r.Restarts, _ = strconv.Atoi(v)
		case "started":
			r.Started, _ = time.Parse(time.RFC3339, v)
		}
	}
	if r.State == "-" {
		r.State = ""
	}
	return r, ok
}
