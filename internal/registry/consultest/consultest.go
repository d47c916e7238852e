// Package consultest is a stand-in for Consul agents, for tests: no Consul
// can be installed where the tests run. It serves the few endpoints of
// Consul's HTTP API that the wrapper uses, as Consul's API documentation
// specifies them (paths, methods, JSON bodies, status codes and error
// texts, the X-Consul-Token header), over real HTTP on a loopback port:
//
//	PUT /v1/agent/service/register[?replace-existing-checks=true]
//	PUT /v1/agent/service/deregister/:service_id
//	PUT /v1/agent/check/update/:check_id
//	GET /v1/catalog/services
//	GET /v1/health/service/:service[?tag=T][&passing]
//
// Several agents (nodes) share one Datacenter, whose catalog each of them
// answers for, as Consul's servers make it. Agents can be stopped, started
// again on the same address, and restarted without their state (as an
// agent in -dev mode, or one whose data directory was lost). A check that
// is not updated within its TTL reads as critical, with Consul's output.
// What it leaves out: check kinds other than TTL (refused with 400),
// blocking queries, the reaping of deregister_critical_service_after,
// namespaces, and ACL policies: a Datacenter with a token refuses every
// request that does not carry it (403), as Consul with default-deny ACLs
// refuses an anonymous one.
package consultest

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Datacenter is the shared catalog of a set of agents.
type Datacenter struct {
	mu      sync.Mutex
	token   string                // required ACL token; "" = ACLs off
	nodes   map[string]*nodeState // by node name
	log     []Request             // every request, in order
	updates []Update              // every check update applied, in order
	hook    func(Request)         // called before each request is handled
	now     func() time.Time      // the clock of TTLs
	index   uint64                // X-Consul-Index: bumped on every write
}

// nodeState is what one agent holds: its services and their checks.
type nodeState struct {
	address  string
	up       bool                // the agent listens (its serfHealth passes)
	services map[string]*service // by ID
}

// NewDatacenter returns an empty datacenter; token, when not empty, is the
// ACL token every request must carry.
func NewDatacenter(token string) *Datacenter {
	return &Datacenter{token: token, nodes: map[string]*nodeState{}, now: time.Now}
}

// Request is one request an agent received.
type Request struct {
	Node   string // the agent's node
	Method string
	Path   string
	Query  string
	Token  string // X-Consul-Token, or the Authorization bearer token
	Body   []byte
}

// SetHook makes fn run, in the agent's handler, before each request is
// handled; a test uses it to look at the world at the moment a request
// arrives (the wrapper waits for the answer).
func (dc *Datacenter) SetHook(fn func(Request)) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.hook = fn
}

// SetClock replaces the clock the TTLs are measured with (time.Now).
func (dc *Datacenter) SetClock(now func() time.Time) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.now = now
}

// Requests returns a copy of every request received so far.
func (dc *Datacenter) Requests() []Request {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return append([]Request(nil), dc.log...)
}

// Agent is one node's agent.
type Agent struct {
	dc   *Datacenter
	node string
	addr string

	mu  sync.Mutex
	srv *http.Server
}

// NewAgent returns the agent of node, with a loopback address reserved for
// it but not yet listening (connections are refused until Start), and
// registers its stop with t.
func (dc *Datacenter) NewAgent(t testing.TB, node string) *Agent {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dc.mu.Lock()
	dc.nodes[node] = &nodeState{address: "127.0.0.1", services: map[string]*service{}}
	dc.mu.Unlock()
	a := &Agent{dc: dc, node: node, addr: addr}
	t.Cleanup(a.Stop)
	return a
}

// StartAgent is NewAgent followed by Start.
func (dc *Datacenter) StartAgent(t testing.TB, node string) *Agent {
	t.Helper()
	a := dc.NewAgent(t, node)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	return a
}

// Addr is the agent's host:port.
func (a *Agent) Addr() string { return a.addr }

// Start makes the agent listen on its address.
func (a *Agent) Start() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.srv != nil {
		return errors.New("consultest: agent already started")
	}
	l, err := net.Listen("tcp", a.addr)
	if err != nil {
		return err
	}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.serve), ReadHeaderTimeout: 10 * time.Second}
	go a.srv.Serve(l)
	a.setUp(true)
	return nil
}

// Stop closes the agent's listener and connections; its node keeps its
// services, as an agent that is down still has them in the catalog.
func (a *Agent) Stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.srv != nil {
		a.srv.Close()
		a.srv = nil
		a.setUp(false)
	}
}

// setUp records whether the agent listens: the catalog's serfHealth check
// of its node passes only then, as gossip finds a stopped agent.
func (a *Agent) setUp(up bool) {
	a.dc.mu.Lock()
	a.dc.nodes[a.node].up = up
	a.dc.mu.Unlock()
}

// Restart stops the agent, drops every service and check of its node (an
// agent that restarted without its state), and starts it again.
func (a *Agent) Restart() error {
	a.Stop()
	a.dc.mu.Lock()
	a.dc.nodes[a.node].services = map[string]*service{}
	a.dc.index++
	a.dc.mu.Unlock()
	return a.Start()
}

// Service returns a copy of the registration of service id on the agent's
// node, or false.
func (a *Agent) Service(id string) (Registration, bool) {
	a.dc.mu.Lock()
	defer a.dc.mu.Unlock()
	s, ok := a.dc.nodes[a.node].services[id]
	if !ok {
		return Registration{}, false
	}
	return s.def.clone(), true
}

// Check returns the current status and output of check id on the agent's
// node (TTL expiry applied), or false.
func (a *Agent) Check(id string) (status, output string, ok bool) {
	a.dc.mu.Lock()
	defer a.dc.mu.Unlock()
	for _, s := range a.dc.nodes[a.node].services {
		if c, found := s.checks[id]; found {
			st, out := c.current(a.dc.now())
			return st, out, true
		}
	}
	return "", "", false
}

// Update is one check update an agent applied: on which node, to which
// check, and the status and output it set.
type Update struct {
	Node, CheckID, Status, Output string
}

// Updates returns the check updates applied to check id on the agent's
// node so far, in order, across registrations and restarts.
func (a *Agent) Updates(id string) []Update {
	a.dc.mu.Lock()
	defer a.dc.mu.Unlock()
	var out []Update
	for _, u := range a.dc.updates {
		if u.Node == a.node && u.CheckID == id {
			out = append(out, u)
		}
	}
	return out
}
