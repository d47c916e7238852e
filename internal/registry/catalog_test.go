package registry

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/wrapper-dev/wrapper/internal/registry/consultest"
)

// TestInstances: the wrappers' instances on two nodes are found through
// one agent; a service without the tag, and an instance of a tagged
// service without the meta marker (another program), are left out; a node
// whose agent is down reads as critical.
func TestInstances(t *testing.T) {
	dc := consultest.NewDatacenter("tok")
	var mu sync.Mutex
	now := time.Now()
	dc.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	a := dc.StartAgent(t, "host-a")
	b := dc.StartAgent(t, "host-b")
	started := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	reports := map[*consultest.Agent]Report{
		a: {Status: Passing, Note: "child running, pid 7", State: "running", Restarts: 2, Started: started},
		b: {Status: Critical, Note: "child exited with code 1; restarting in 4s", State: "backoff", Restarts: 5},
	}
	for agent, rep := range reports {
		svc := testService()
		r, err := Start(Options{Address: agent.Addr(), Token: "tok", Service: svc, Initial: rep})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close(time.Second)
		waitFor(t, "the check update", func() bool { _, ok := lastUpdate(agent, svc.CheckID()); return ok })
	}
	// Another program: the same service name and tag, no marker; and an
	// untagged service.
	putJSON(t, a.Addr(), "/v1/agent/service/register", `{"ID":"api-other","Name":"api","Tags":["wrapper"]}`)
	putJSON(t, b.Addr(), "/v1/agent/service/register", `{"Name":"db"}`)

	got, err := Instances(context.Background(), b.Addr(), "tok")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Node != "host-a" || got[1].Node != "host-b" {
		t.Fatalf("instances %+v, want api-1 on host-a and host-b", got)
	}
	ia, ib := got[0], got[1]
	if ia.Service != "api" || ia.ID != "api-1" || ia.Port != 8080 || ia.Meta[MetaHTTP] != "http://10.0.0.5:9464" ||
		ia.Status != Passing || !ia.HasReport || ia.Report.State != "running" || ia.Report.Restarts != 2 ||
		!ia.Report.Started.Equal(started) || ia.Report.Status != Passing {
		t.Errorf("host-a: %+v", ia)
	}
	if ib.Status != Critical || ib.Report.State != "backoff" || ib.Report.Restarts != 5 || ib.Expired {
		t.Errorf("host-b: %+v", ib)
	}

	b.Stop()
	got, err = Instances(context.Background(), a.Addr(), "tok")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Status != Passing || got[1].Status != Critical {
		t.Errorf("with host-b's agent down: %+v", got)
	}
	// Past the TTL without an update (the registrars refresh every 10 s of
	// real time; the clock jumps a minute): Consul's expiry shows.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	got, err = Instances(context.Background(), a.Addr(), "tok")
	if err != nil || len(got) != 2 || !got[0].Expired || got[0].Status != Critical || got[0].Report.State != "running" ||
		got[0].Report.Note != "child running, pid 7" {
		t.Errorf("after the TTL: %+v, %v", got, err)
	}
	if _, err := Instances(context.Background(), a.Addr(), "wrong"); err == nil {
		t.Error("Instances with a refused token: no error")
	}
}

// putJSON sends a write request with the datacenter's token, as another
// program would.
func putJSON(t *testing.T, addr, path, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "http://"+addr+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Consul-Token", "tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %s", path, resp.Status)
	}
}
