package registry

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/consul/api"
)

// Instance is one service instance that a wrapper registered, as the
// catalog shows it.
type Instance struct {
	// Node is the name of the agent's node: the host.
	Node string `json:"node"`
	// NodeAddress is the node's address.
	NodeAddress string `json:"node_address"`
	// ID is the instance's ID on its node (the wrapper's service name).
	ID string `json:"id"`
	// Service is the Consul service name.
	Service string `json:"service"`
	// Port is the registered port; 0 when none.
	Port int `json:"port,omitempty"`
	// Tags and Meta are the registered tags and meta data.
	Tags []string          `json:"tags"`
	Meta map[string]string `json:"meta"`
	// Status is the instance's health in Consul: the worst of its checks,
	// the node's own included (maintenance, critical, warning, passing).
	Status string `json:"check_status"`
	// Output is the output of the wrapper's check.
	Output string `json:"check_output,omitempty"`
	// Expired reports that the wrapper stopped updating its check: Consul
	// marked it critical when its TTL ran out (the wrapper died without
	// deregistering, or cannot reach its agent). Report is then stale.
	Expired bool `json:"check_expired,omitempty"`
	// Report is what the wrapper last reported, read from Output; HasReport
	// is false when the check carries none (it was never updated).
	Report    Report `json:"-"`
	HasReport bool   `json:"-"`
}

// ttlExpired is the output Consul gives a TTL check that ran out, followed
// by expiredFollows and the last output, if there was one.
const (
	ttlExpired     = "TTL expired"
	expiredFollows = " (last output before timeout follows): "
)

// Instances lists every instance that a wrapper registered, in every node
// of the datacenter of the agent at addr (host:port or an http:// or
// https:// URL; "" is DefaultAddress), sorted by service, node and ID. It
// asks the catalog for the services tagged Tag, then each one's health,
// and keeps the instances that carry MetaMarker.
func Instances(ctx context.Context, addr, token string) ([]Instance, error) {
	c, err := newClient(addr, token)
	if err != nil {
		return nil, err
	}
	q := (&api.QueryOptions{}).WithContext(ctx)
	services, _, err := c.Catalog().Services(q)
	if err != nil {
		return nil, fmt.Errorf("list the services of consul at %s: %w", address(addr), err)
	}
	names := make([]string, 0, len(services))
	for name, tags := range services {
		if slices.Contains(tags, Tag) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []Instance
	for _, name := range names {
		entries, _, err := c.Health().Service(name, Tag, false, q)
		if err != nil {
			return nil, fmt.Errorf("read the health of service %s: %w", name, err)
		}
		for _, e := range entries {
			if e.Service == nil || e.Node == nil || e.Service.Meta[MetaMarker] == "" {
				continue
			}
			out = append(out, instance(e))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		return a.ID < b.ID
	})
	return out, nil
}

// instance converts one health entry.
func instance(e *api.ServiceEntry) Instance {
	in := Instance{Node: e.Node.Node, NodeAddress: e.Node.Address, ID: e.Service.ID, Service: e.Service.Service,
		Port: e.Service.Port, Tags: e.Service.Tags, Meta: e.Service.Meta, Status: e.Checks.AggregatedStatus()}
	checkID := Service{ID: in.ID}.CheckID()
	for _, c := range e.Checks {
		if c.CheckID == checkID && c.ServiceID == in.ID {
			in.Output = c.Output
			out := c.Output
			if rest, ok := strings.CutPrefix(out, ttlExpired); ok {
				in.Expired, out = true, strings.TrimPrefix(rest, expiredFollows)
			}
			in.Report, in.HasReport = ParseOutput(out)
			in.Report.Status = c.Status
		}
	}
	return in
}
