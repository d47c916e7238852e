package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of HeartbeatOptions.
const (
	defaultHeartbeatInterval = time.Minute
	defaultHeartbeatTimeout  = 10 * time.Second
)

// HeartbeatOptions describe a dead man's switch in the style of
// Healthchecks.io: a URL that expects a GET every so often and raises an
// alarm when they stop coming, so that a wrapper that died, a machine that
// is down or a child that never becomes healthy are noticed from outside.
type HeartbeatOptions struct {
	// URL is GET every Interval while the child runs and is healthy (its
	// health check passed, or it has none): not while it starts, backs
	// off, is unhealthy or stops. When the circuit breaker trips, URL with
	// "/fail" appended to its path is GET once, before Run returns. The
	// log names the URL's host only: the path of such a URL is its
	// secret. "" (the default) sends nothing.
	URL string
	// Interval is the wait between two pings. A ping still in flight when
	// the next one is due makes that one skipped. Default (0) 1m.
	Interval time.Duration
	// Timeout bounds one ping; a ping that takes longer failed. Default
	// (0) 10s.
	Timeout time.Duration
}

// normalizeHeartbeat fills in defaults and checks the URL.
func normalizeHeartbeat(h *HeartbeatOptions) []error {
	var errs []error
	if h.URL != "" {
		if _, err := failURL(h.URL); err != nil {
			errs = append(errs, err)
		}
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"heartbeat interval", &h.Interval, defaultHeartbeatInterval}, {"heartbeat timeout", &h.Timeout, defaultHeartbeatTimeout}} {
		switch {
		case *d.v < 0:
			errs = append(errs, fmt.Errorf("%s %v is negative", d.name, *d.v))
		case *d.v == 0:
			*d.v = d.def
		}
	}
	return errs
}

// failURL returns the URL of the failure signal: raw with "/fail"
// appended to its path, its query kept.
func failURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("heartbeat url %s: want an http:// or https:// URL with a host", redact(raw))
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/fail"
	u.RawPath = ""
	return u.String(), nil
}

// redact returns the scheme and host of a URL for the log.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// heartbeatClient follows redirects and honours the proxy variables: a
// dead man's switch is usually a service on the internet, unlike a health
// check. It keeps no idle connection between pings a minute apart.
var heartbeatClient = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, DisableKeepAlives: true}}

// httpPing GETs target, and succeeds on a 2xx status. It is the
// Supervisor's default ping function.
func httpPing(ctx context.Context, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", redact(target), err)
	}
	resp, err := heartbeatClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes the whole URL
		}
		return fmt.Errorf("GET %s: %w", redact(target), err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxProbeBody))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("GET %s: status %s", redact(target), resp.Status)
	}
	return nil
}

// pingDone reports the end of a ping.
type pingDone struct {
	t    *task
	fail bool // the failure signal
	err  error
}

// armBeat (re)starts the heartbeat's timer, or stops it when there is no
// heartbeat.
func (l *loop) armBeat() {
	if l.beat != nil {
		l.beat.Stop()
		l.beat = nil
	}
	if h := l.s.opts.Heartbeat; h.URL != "" {
		l.beat = time.NewTimer(h.Interval)
	}
}

// onBeat pings when the child runs and is healthy and no ping is in
// flight, and arms the next tick.
func (l *loop) onBeat() {
	l.armBeat()
	switch {
	case l.proc == nil || l.st.State != StateRunning || (l.st.Health != "" && l.st.Health != HealthHealthy):
		l.s.log.Debug("heartbeat skipped", "state", l.st.State, "health", l.st.Health)
	case l.ping != nil:
		l.s.log.Debug("heartbeat skipped", "reason", "previous ping in flight")
	default:
		l.ping = l.startPing(l.s.opts.Heartbeat.URL, false)
	}
}

// startPing GETs target in a task that reports to pingC.
func (l *loop) startPing(target string, fail bool) *task {
	ping, ch, timeout := l.s.ping, l.pingC, l.s.opts.Heartbeat.Timeout
	return l.spawn(func(ctx context.Context, t *task) {
		pctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		deliver(ctx, ch, pingDone{t: t, fail: fail, err: ping(pctx, target)})
	})
}

// onPing records a ping's result, sends the failure signal once the ping
// it waited for is done, and ends a give-up whose last task this was.
func (l *loop) onPing(p pingDone) (done bool, err error) {
	if p.t != l.ping {
		return false, nil
	}
	l.ping = nil
	switch {
	case p.fail && p.err != nil:
		l.s.log.Warn("heartbeat failure signal failed", "err", p.err)
	case p.fail:
		l.s.log.Info("heartbeat failure signal sent")
	case p.err != nil && !l.beatFailing:
		l.beatFailing = true
		l.s.log.Warn("heartbeat failed", "err", p.err)
	case p.err == nil && l.beatFailing:
		l.beatFailing = false
		l.s.log.Info("heartbeat ok again")
	}
	if l.failNext {
		l.failNext = false
		l.sendFail()
	}
	if l.gaveUp != nil {
		return l.giveUpDone()
	}
	return false, nil
}

// signalGiveUp stops the heartbeat and sends its failure signal: at once,
// or after the ping in flight, which must not arrive after it.
func (l *loop) signalGiveUp() {
	if l.s.opts.Heartbeat.URL == "" {
		return
	}
	if l.beat != nil {
		l.beat.Stop()
		l.beat = nil
	}
	if l.ping != nil {
		l.failNext = true
		return
	}
	l.sendFail()
}

// sendFail starts the ping of the failure signal.
func (l *loop) sendFail() {
	target, err := failURL(l.s.opts.Heartbeat.URL) // checked by normalize
	if err != nil {
		return
	}
	l.s.log.Info("sending the heartbeat failure signal")
	l.ping = l.startPing(target, true)
}
