package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/consul/api"
)

// requestTimeout bounds each request to the agent: a local agent answers in
// milliseconds, and one that does not must not hold the registration (or
// the stop) for long.
const requestTimeout = 10 * time.Second

// checkNotes is the check's fixed description, shown in Consul's UI.
const checkNotes = "The wrapper's verdict on its child: starting or waiting = warning; " +
	"running (and healthy, with a health check) = passing; unhealthy, backing off, " +
	"stopping, stopped, exited or gave up = critical."

// Options configure a Registrar.
type Options struct {
	// Address is the agent's HTTP API: host:port or an http:// or https://
	// URL. Default: DefaultAddress.
	Address string
	// Token is the ACL token sent as X-Consul-Token; "" sends Consul's
	// own default (CONSUL_HTTP_TOKEN), if any.
	Token string
	// Service is what is registered.
	Service Service
	// Initial is the verdict registered first, until Report is called.
	Initial Report
	// TTL is the check's TTL. Default: DefaultTTL.
	TTL time.Duration
	// Logger receives the registration's events and warnings.
	Logger *slog.Logger

	retry backoff // zero: defaultBackoff (tests shorten it)
}

// Registrar keeps one service registered while the wrapper runs. Start it,
// call Report on every change of the wrapper's verdict (it never blocks),
// and Close it to deregister. One goroutine, started by Start, does all the
// talking to the agent.
type Registrar struct {
	client *api.Client
	svc    Service
	ttl    time.Duration
	log    *slog.Logger
	retry  backoff

	mu      sync.Mutex
	latest  Report
	changed chan struct{} // capacity 1: a pending change

	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine has ended

	// Owned by the goroutine; read by Close after done.
	registered, tried bool

	closeOnce sync.Once
	closeErr  error
}

// Start starts registering opts.Service in the background and returns at
// once; it fails only when opts.Address cannot be used at all.
func Start(opts Options) (*Registrar, error) {
	c, err := newClient(opts.Address, opts.Token)
	if err != nil {
		return nil, err
	}
	r := &Registrar{client: c, svc: opts.Service, ttl: opts.TTL, log: opts.Logger, retry: opts.retry,
		latest: opts.Initial, changed: make(chan struct{}, 1), done: make(chan struct{})}
	if r.ttl <= 0 {
		r.ttl = DefaultTTL
	}
	if r.retry.first <= 0 {
		r.retry = defaultBackoff
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.log = r.log.With("consul", address(opts.Address), "consul_service", r.svc.Name, "consul_id", r.svc.ID)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.run(ctx)
	return r, nil
}

// newClient returns a client of the agent at address that sends token.
// Consul's environment variables (CONSUL_CACERT, CONSUL_CLIENT_CERT,
// CONSUL_CLIENT_KEY, CONSUL_HTTP_SSL_VERIFY, CONSUL_HTTP_TOKEN, ...) apply as
// they do to Consul's own tools; the address and a non-empty token win.
func newClient(addr, token string) (*api.Client, error) {
	cfg := api.DefaultConfig()
	cfg.Address = address(addr)
	if token != "" {
		cfg.Token = token
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("consul client for %s: %w", address(addr), err)
	}
	return c, nil
}

// address is addr, or DefaultAddress when it is empty (never Consul's
// CONSUL_HTTP_ADDR: the configuration says where the agent is).
func address(addr string) string {
	if addr == "" {
		return DefaultAddress
	}
	return addr
}

// Report sets the wrapper's verdict; the goroutine sends it to the agent
// as soon as it can. It never blocks.
func (r *Registrar) Report(rep Report) {
	r.mu.Lock()
	r.latest = rep
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default: // a change is pending already; it will send the latest
	}
}

func (r *Registrar) current() Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.latest
}

// run registers, updates the check on every change and every third of the
// TTL, and retries with backoff after a failure, until ctx is cancelled.
func (r *Registrar) run(ctx context.Context) {
	defer close(r.done)
	timer := time.NewTimer(0) // register at once
	defer timer.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.changed:
			if failures > 0 {
				// Wait for the retry: a child restarting in a loop while
				// the agent is down must not turn into a request (and a
				// warning) per restart.
				continue
			}
		case <-timer.C:
		}
		err := r.sync(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			failures++
			wait := r.retry.delay(failures)
			r.log.Warn("consul registration failed; the child is not affected, retrying",
				"err", err, "failures", failures, "retry_in", wait.Round(time.Millisecond))
			timer.Reset(wait)
		default:
			if failures > 0 {
				r.log.Info("consul registration up to date again", "after_failures", failures)
			}
			failures = 0
			timer.Reset(r.ttl / 3)
		}
	}
}

// sync brings the agent up to date: registers when needed, then updates
// the check. An update the agent answers with "unknown check" means it has
// lost the registration (restarted without its state): register again.
func (r *Registrar) sync(ctx context.Context) error {
	rep := r.current()
	if !r.registered {
		if err := r.register(ctx, rep); err != nil {
			return err
		}
	}
	err := r.update(ctx, rep)
	if !unknownCheck(err) {
		return err
	}
	r.log.Warn("consul no longer knows the service (has its agent restarted?); registering again", "err", err)
	r.registered = false
	if err := r.register(ctx, rep); err != nil {
		return err
	}
	return r.update(ctx, rep)
}

// register registers the service with its check at rep's status.
func (r *Registrar) register(ctx context.Context, rep Report) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	r.tried = true
	// Replacing existing checks drops checks an older definition of this
	// ID had, so the registration is exactly this one.
	opts := api.ServiceRegisterOpts{ReplaceExistingChecks: true}.WithContext(ctx)
	if err := r.client.Agent().ServiceRegisterOpts(r.registration(rep), opts); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	r.registered = true
	r.log.Info("registered with consul")
	return nil
}

// update sets the check's status and output.
func (r *Registrar) update(ctx context.Context, rep Report) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	q := (&api.QueryOptions{}).WithContext(ctx)
	if err := r.client.Agent().UpdateTTLOpts(r.svc.CheckID(), rep.Output(), rep.Status, q); err != nil {
		return fmt.Errorf("update check %s: %w", r.svc.CheckID(), err)
	}
	return nil
}

// registration is the body of the register request.
func (r *Registrar) registration(rep Report) *api.AgentServiceRegistration {
	tags := slices.Clone(r.svc.Tags)
	if !slices.Contains(tags, Tag) {
		tags = append(tags, Tag)
	}
	meta := maps.Clone(r.svc.Meta)
	if meta == nil {
		meta = map[string]string{}
	}
	meta[MetaMarker] = MarkerValue
	if r.svc.Version != "" {
		meta[MetaVersion] = r.svc.Version
	}
	check := &api.AgentServiceCheck{CheckID: r.svc.CheckID(), Name: "wrapper", TTL: r.ttl.String(),
		Status: rep.Status, Notes: checkNotes}
	if d := r.svc.DeregisterCriticalAfter; d > 0 {
		check.DeregisterCriticalServiceAfter = d.String()
	}
	return &api.AgentServiceRegistration{ID: r.svc.ID, Name: r.svc.Name, Tags: tags, Port: r.svc.Port,
		Meta: meta, Check: check}
}

// unknownCheck reports the agent's answer to an update of a check it does
// not have: 404 "Unknown check ID" from current agents, 500 "CheckID ...
// does not have associated TTL" from older ones.
func unknownCheck(err error) bool {
	var se api.StatusError
	return errors.As(err, &se) &&
		(se.Code == 404 || strings.Contains(se.Body, "does not have associated TTL"))
}

// Close stops the registrar and deregisters the service, waiting at most
// timeout for the agent: the wrapper calls it before it stops the child, so
// that traffic drains first, and an agent that does not answer must not
// hold the stop. An agent that no longer knows the service counts as
// deregistered. Later calls return the first call's result.
func (r *Registrar) Close(timeout time.Duration) error {
	r.closeOnce.Do(func() {
		r.cancel()
		<-r.done
		if !r.tried {
			return // nothing was ever sent
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		err := r.client.Agent().ServiceDeregisterOpts(r.svc.ID, (&api.QueryOptions{}).WithContext(ctx))
		var se api.StatusError
		switch {
		case errors.As(err, &se) && se.Code == 404:
			r.log.Info("consul had no registration left to remove")
		case err != nil:
			r.closeErr = fmt.Errorf("deregister %s: %w", r.svc.ID, err)
			r.log.Warn("cannot deregister from consul; its check turns critical within the TTL", "err", err, "ttl", r.ttl)
		default:
			r.log.Info("deregistered from consul")
		}
	})
	return r.closeErr
}
