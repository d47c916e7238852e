package consultest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkBufSize is where Consul cuts a check's output (CheckBufSize).
const checkBufSize = 4 * 1024

// Registration is the body of PUT /v1/agent/service/register: Consul's
// service definition, the fields the stand-in knows. Decoding is
// case-insensitive, as Consul's is.
type Registration struct {
	ID      string
	Name    string
	Tags    []string
	Address string
	Meta    map[string]string
	Port    int
	Check   *CheckDefinition
	Checks  []*CheckDefinition
}

// CheckDefinition is a check in a registration. Only TTL checks are
// implemented; HTTP, TCP, script and other kinds are refused.
type CheckDefinition struct {
	CheckID, Name, Notes, Status   string
	TTL                            string
	DeregisterCriticalServiceAfter string
	HTTP, TCP, GRPC, Interval      string
	ScriptArgs                     []string
}

func (r Registration) clone() Registration {
	r.Tags, r.Meta = slices.Clone(r.Tags), maps.Clone(r.Meta)
	if r.Check != nil {
		c := *r.Check
		r.Check = &c
	}
	return r
}

// service is a registered service and its checks.
type service struct {
	def    Registration
	checks map[string]*check // by check ID
}

// check is a TTL check's state.
type check struct {
	id, name, notes string
	ttl             time.Duration
	status, output  string
	updated         time.Time
}

// current applies the TTL: a check not updated within it is critical, with
// the output Consul gives it.
func (c *check) current(now time.Time) (status, output string) {
	if now.Sub(c.updated) > c.ttl {
		if c.output == "" {
			return "critical", "TTL expired"
		}
		return "critical", "TTL expired (last output before timeout follows): " + c.output
	}
	return c.status, c.output
}

func validStatus(s string) bool { return s == "passing" || s == "warning" || s == "critical" }

// serve records and answers one request.
func (a *Agent) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	token := r.Header.Get("X-Consul-Token")
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && token == "" {
		token = v
	}
	req := Request{Node: a.node, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Token: token, Body: body}
	dc := a.dc
	dc.mu.Lock()
	dc.log = append(dc.log, req)
	hook := dc.hook
	dc.mu.Unlock()
	if hook != nil {
		hook(req)
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	switch {
	case dc.token != "" && token == "":
		http.Error(w, "Permission denied: anonymous token lacks permission", http.StatusForbidden)
	case dc.token != "" && token != dc.token:
		http.Error(w, "ACL not found", http.StatusForbidden)
	case r.URL.Path == "/v1/agent/service/register":
		put(w, r, func() (int, string) { return a.register(body) })
	case strings.HasPrefix(r.URL.Path, "/v1/agent/service/deregister/"):
		put(w, r, func() (int, string) {
			return a.deregister(strings.TrimPrefix(r.URL.Path, "/v1/agent/service/deregister/"))
		})
	case strings.HasPrefix(r.URL.Path, "/v1/agent/check/update/"):
		put(w, r, func() (int, string) { return a.update(strings.TrimPrefix(r.URL.Path, "/v1/agent/check/update/"), body) })
	case r.URL.Path == "/v1/catalog/services" && r.Method == http.MethodGet:
		dc.reply(w, dc.catalogServices())
	case strings.HasPrefix(r.URL.Path, "/v1/health/service/") && r.Method == http.MethodGet:
		q := r.URL.Query()
		passing := q.Has("passing") && q.Get("passing") != "false"
		dc.reply(w, dc.healthService(strings.TrimPrefix(r.URL.Path, "/v1/health/service/"), q["tag"], passing))
	default:
		http.Error(w, "consultest: not implemented: "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// put runs a write endpoint, which Consul answers 405 unless the method is
// PUT, and 200 with an empty body on success.
func put(w http.ResponseWriter, r *http.Request, fn func() (int, string)) {
	if r.Method != http.MethodPut {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if code, msg := fn(); code != http.StatusOK {
		http.Error(w, msg, code)
	}
}

// reply writes a read endpoint's JSON with the headers of Consul's
// consistent-enough default mode.
func (dc *Datacenter) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Consul-Index", strconv.FormatUint(dc.index+1, 10))
	w.Header().Set("X-Consul-KnownLeader", "true")
	w.Header().Set("X-Consul-LastContact", "0")
	_ = json.NewEncoder(w).Encode(v)
}

// register handles PUT /v1/agent/service/register.
func (a *Agent) register(body []byte) (int, string) {
	var def Registration
	if err := json.Unmarshal(body, &def); err != nil {
		return http.StatusBadRequest, "Request decode failed: " + err.Error()
	}
	if def.Name == "" {
		return http.StatusBadRequest, "Missing service name"
	}
	if def.ID == "" {
		def.ID = def.Name
	}
	defs := slices.DeleteFunc(append([]*CheckDefinition{def.Check}, def.Checks...), func(c *CheckDefinition) bool { return c == nil })
	s := &service{def: def.clone(), checks: map[string]*check{}}
	for i, cd := range defs {
		if cd.Status != "" && !validStatus(cd.Status) {
			return http.StatusBadRequest, "Status for checks must 'passing', 'warning', 'critical'"
		}
		if cd.HTTP != "" || cd.TCP != "" || cd.GRPC != "" || len(cd.ScriptArgs) > 0 || cd.TTL == "" {
			return http.StatusBadRequest, "consultest: only TTL checks are implemented"
		}
		ttl, err := time.ParseDuration(cd.TTL)
		if err != nil || ttl <= 0 {
			return http.StatusBadRequest, fmt.Sprintf("Request decode failed: invalid TTL %q", cd.TTL)
		}
		c := &check{id: cd.CheckID, name: cd.Name, notes: cd.Notes, ttl: ttl, status: cd.Status, updated: a.dc.now()}
		if c.id == "" {
			c.id = "service:" + def.ID
			if len(defs) > 1 {
				c.id += ":" + strconv.Itoa(i+1)
			}
		}
		if c.name == "" {
			c.name = "Service '" + def.Name + "' check"
		}
		if c.status == "" {
			c.status = "critical" // Consul's initial status of a new check
		}
		s.checks[c.id] = c
	}
	a.dc.nodes[a.node].services[def.ID] = s
	a.dc.index++
	return http.StatusOK, ""
}

// deregister handles PUT /v1/agent/service/deregister/:service_id.
func (a *Agent) deregister(id string) (int, string) {
	n := a.dc.nodes[a.node]
	if _, ok := n.services[id]; !ok {
		return http.StatusNotFound, fmt.Sprintf("Unknown service ID %q. Ensure that the service ID is passed, not the service name.", id)
	}
	delete(n.services, id)
	a.dc.index++
	return http.StatusOK, ""
}

// update handles PUT /v1/agent/check/update/:check_id.
func (a *Agent) update(id string, body []byte) (int, string) {
	u, err := decodeUpdate(body)
	if err != nil {
		return http.StatusBadRequest, "Request decode failed: " + err.Error()
	}
	if !validStatus(u.Status) {
		return http.StatusBadRequest, fmt.Sprintf("Invalid check status: '%s'", u.Status)
	}
	if total := len(u.Output); total > checkBufSize {
		u.Output = fmt.Sprintf("%s ... (captured %d of %d bytes)", u.Output[:checkBufSize], checkBufSize, total)
	}
	for _, s := range a.dc.nodes[a.node].services {
		if c, ok := s.checks[id]; ok {
			c.status, c.output, c.updated = u.Status, u.Output, a.dc.now()
			a.dc.updates = append(a.dc.updates, Update{Node: a.node, CheckID: id, Status: u.Status, Output: u.Output})
			a.dc.index++
			return http.StatusOK, ""
		}
	}
	return http.StatusNotFound, fmt.Sprintf("Unknown check ID %q. Ensure that the check ID is passed, not the check name.", id)
}

func decodeUpdate(body []byte) (Update, error) {
	var u struct{ Status, Output string }
	err := json.Unmarshal(body, &u)
	return Update{Status: u.Status, Output: u.Output}, err
}

// catalogServices answers GET /v1/catalog/services: every service name
// with the union of its instances' tags, the servers' "consul" included.
func (dc *Datacenter) catalogServices() map[string][]string {
	out := map[string][]string{"consul": {}}
	for _, n := range dc.nodes {
		for _, s := range n.services {
			tags := out[s.def.Name]
			for _, t := range s.def.Tags {
				if !slices.Contains(tags, t) {
					tags = append(tags, t)
				}
			}
			if tags == nil {
				tags = []string{}
			}
			out[s.def.Name] = tags
		}
	}
	return out
}

// healthService answers GET /v1/health/service/:service: one entry per
// instance with every tag in tags, each with its node's serfHealth check
// and its own checks; with passing, only instances whose checks all pass.
func (dc *Datacenter) healthService(name string, tags []string, passing bool) []map[string]any {
	out := []map[string]any{}
	for _, node := range slices.Sorted(maps.Keys(dc.nodes)) {
		n := dc.nodes[node]
		for _, id := range slices.Sorted(maps.Keys(n.services)) {
			s := n.services[id]
			if s.def.Name != name || slices.ContainsFunc(tags, func(t string) bool { return !slices.Contains(s.def.Tags, t) }) {
				continue
			}
			checks, ok := dc.checks(node, n, s)
			if passing && !ok {
				continue
			}
			tagList := s.def.Tags
			if tagList == nil {
				tagList = []string{}
			}
			out = append(out, map[string]any{
				"Node": map[string]any{"Node": node, "Address": n.address, "Datacenter": "dc1"},
				"Service": map[string]any{"ID": s.def.ID, "Service": s.def.Name, "Tags": tagList,
					"Address": s.def.Address, "Meta": s.def.Meta, "Port": s.def.Port},
				"Checks": checks,
			})
		}
	}
	return out
}

// checks lists an instance's checks as the health endpoint does, and
// reports whether all of them pass.
func (dc *Datacenter) checks(node string, n *nodeState, s *service) ([]map[string]any, bool) {
	serf, serfOut := "passing", "Agent alive and reachable"
	if !n.up {
		serf, serfOut = "critical", "Agent not live or unreachable"
	}
	all := serf == "passing"
	out := []map[string]any{{"Node": node, "CheckID": "serfHealth", "Name": "Serf Health Status",
		"Status": serf, "Output": serfOut, "ServiceID": "", "ServiceName": "", "ServiceTags": []string{}, "Type": ""}}
	for _, id := range slices.Sorted(maps.Keys(s.checks)) {
		c := s.checks[id]
		st, output := c.current(dc.now())
		all = all && st == "passing"
		out = append(out, map[string]any{"Node": node, "CheckID": c.id, "Name": c.name, "Status": st,
			"Notes": c.notes, "Output": output, "ServiceID": s.def.ID, "ServiceName": s.def.Name,
			"ServiceTags": s.def.Tags, "Type": "ttl"})
	}
	return out, all
}
