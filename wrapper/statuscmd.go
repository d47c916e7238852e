package wrapper

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/wrapper-dev/wrapper/internal/control"
	"github.com/wrapper-dev/wrapper/internal/fleet"
	"github.com/wrapper-dev/wrapper/internal/httpapi"
	"github.com/wrapper-dev/wrapper/internal/registry"
	"github.com/wrapper-dev/wrapper/internal/statusfile"
	"github.com/wrapper-dev/wrapper/internal/termsafe"
)

// statusReport is what `wrapper status --json` prints.
type statusReport struct {
	Service string `json:"service"`
	// ServiceState is the service manager's view (Windows SCM state,
	// Linux `systemctl is-active`), or empty where there is none.
	ServiceState string `json:"service_state,omitempty"`
	// Running reports whether the wrapper process that published Status is
	// alive.
	Running bool `json:"running"`
	// Live reports whether Status came from the running wrapper (control
	// endpoint) rather than from the status file it last wrote.
	Live bool `json:"live"`
	// Drift lists installed service settings that differ from the YAML
	// (apply them with `wrapper install`).
	Drift  []string         `json:"drift,omitempty"`
	Status *statusfile.Live `json:"status,omitempty"`
}

// cmdStatus prints the service's state and the supervisor's last published
// status.
func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", "status [--config FILE] [--json]", stdout)
	path := fs.String("config", "", configFlagUsage)
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	cfg, name, code := loadForControl(*path, stderr)
	if name == "" {
		return code
	}
	rep := statusReport{Service: name, ServiceState: serviceState(name)}
	if cfg != nil { // an invalid YAML has no installed settings to compare
		rep.Drift = serviceDrift(cfg)
	}
	resp, err := askWrapper(name, "status")
	switch {
	case errors.Is(err, control.ErrImpostor):
		// Neither its answer nor the status file, which the same account
		// may have written, can be trusted.
		fmt.Fprintf(stderr, "wrapper status: %v\n", err)
		return ExitError
	case err == nil && resp.OK && resp.Status != nil:
		rep.Status, rep.Running, rep.Live = resp.Status, true, true
	case cfg == nil: // no log.dir to find the status file in
	default:
		if f, err := statusfile.Read(statusPath(cfg)); err == nil {
			rep.Status = &statusfile.Live{File: f}
			rep.Running = statusfile.Alive(f.WrapperPID, f.WrapperStart)
		}
	}
	if *asJSON {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		_, _ = stdout.Write(termsafe.JSON(b.Bytes()))
	} else {
		printStatus(stdout, rep, time.Now())
	}
	if !rep.Running {
		return ExitNotRunning
	}
	return ExitOK
}

// printStatus renders rep for a person. Every row goes through
// termsafe.String: its strings come from the status file, which an account
// weaker than the reader can write, and from the child's stderr.
func printStatus(w io.Writer, rep statusReport, now time.Time) {
	row := func(k, format string, args ...any) {
		if k != "" { // an empty label continues the row above
			k += ":"
		}
		fmt.Fprintf(w, "%-12s %s\n", k, termsafe.String(fmt.Sprintf(format, args...)))
	}
	row("service", "%s", rep.Service)
	if rep.ServiceState != "" {
		row(serviceStateLabel, "%s", rep.ServiceState)
	}
	for _, d := range rep.Drift {
		row("warning", "installed service differs: %s (run wrapper install)", d)
	}
	f := rep.Status
	if f == nil {
		row("wrapper", "not running (no status published yet)")
		return
	}
	if !rep.Running {
		row("wrapper", "not running (pid %d last reported %s at %s)", f.WrapperPID, f.State, f.Updated.Format(time.RFC3339))
	} else {
		row("wrapper", "running, pid %d", f.WrapperPID)
	}
	switch {
	case rep.Running && f.PID != 0 && f.Started != nil:
		row("child", "%s, pid %d, up %s", f.State, f.PID, now.Sub(*f.Started).Round(time.Second))
	default:
		row("child", "%s", f.State)
	}
	if f.Waiting != "" {
		row("waiting", "for %s", f.Waiting)
	}
	if f.Health != "" {
		row("health", "%s (consecutive failed checks: %d)", f.Health, f.HealthFailures)
	}
	restarts := fmt.Sprintf("%d (consecutive failures: %d)", f.Restarts, f.Failures)
	if f.LastRestartCause != "" && f.Restarts > 0 {
		restarts += ", last because of: " + f.LastRestartCause
	}
	row("restarts", "%s", restarts)
	if l := f.LastLimit; l != nil {
		row("limit", "%s, at %s", l.Breach, l.At.Format(time.RFC3339))
	}
	if e := f.LastExit; e != nil {
		row("last exit", "%s after %s, at %s", e.Meaning, e.Uptime, e.At.Format(time.RFC3339))
		if e.Error != "" {
			row("", "%s", e.Error)
		}
	}
	if r := f.LastStop; r != nil {
		row("last stop", "%s, at %s", r.Meaning, r.At.Format(time.RFC3339))
	}
	if f.NextStart != nil && rep.Running {
		row("next start", "in %s (%s)", f.NextStart.Sub(now).Round(time.Millisecond), f.NextStart.Format(time.RFC3339))
	}
	if f.NextScheduledRestart != nil && rep.Running {
		row("scheduled", "restart in %s (%s)", f.NextScheduledRestart.Sub(now).Round(time.Second), f.NextScheduledRestart.Format(time.RFC3339))
	}
	for path, n := range f.DroppedBytes {
		row("dropped", "%d bytes lost to write errors in %s", n, path)
	}
	if len(f.StderrTail) > 0 {
		if len(f.StderrTail) == 1 {
			row("stderr", "last line:")
		} else {
			row("stderr", "last %d lines:", len(f.StderrTail))
		}
		for _, l := range f.StderrTail {
			fmt.Fprintf(w, "    %s\n", termsafe.String(l))
		}
	}
	row("logs", "%s", f.Logs.Stdout)
	if f.Logs.Stderr != f.Logs.Stdout {
		row("", "%s", f.Logs.Stderr)
	}
	row("", "%s", f.Logs.Wrapper)
}

// fleetSynopsis is the synopsis of `wrapper fleet`.
const fleetSynopsis = "fleet status [--consul ADDR] [--json | --serve ADDR [--tls-cert FILE --tls-key FILE]] [--token-env NAME] [--consul-token-env NAME]"

// cmdFleet runs `wrapper fleet status`: every service that a wrapper
// registered with Consul, across hosts, as one table (docs/fleet.md).
func cmdFleet(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("fleet", fleetSynopsis, stdout)
	consul := fs.String("consul", registry.DefaultAddress, "the Consul agent's HTTP API, `addr`: host:port or an http(s):// URL")
	asJSON := fs.Bool("json", false, "print the rows as JSON")
	tokenEnv := fs.String("token-env", "", "`name` of the variable holding the bearer token of the wrappers' HTTP API; without it, only the registry is read")
	consulTokenEnv := fs.String("consul-token-env", "", "`name` of the variable holding Consul's ACL token (default: Consul's CONSUL_HTTP_TOKEN)")
	serve := fs.String("serve", "", "serve the fleet as a web page on `addr` (host:port) until interrupted; "+
		"loopback unless --token-env and --tls-cert give a token the browser must present and HTTPS")
	tlsCert := fs.String("tls-cert", "", "with --serve: the HTTPS certificate, a PEM `file`")
	tlsKey := fs.String("tls-key", "", "with --serve: the certificate's key, a PEM `file`")
	if len(args) > 0 && args[0] == "status" {
		args = args[1:]
	} else if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "wrapper fleet: want the subcommand status\nUsage: wrapper %s\n", fleetSynopsis)
		return ExitUsage
	}
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	opts := fleet.Options{Consul: *consul}
	for _, v := range []struct {
		flag, name string
		dst        *string
	}{{"--token-env", *tokenEnv, &opts.StatusToken}, {"--consul-token-env", *consulTokenEnv, &opts.ConsulToken}} {
		if v.name == "" {
			continue
		}
		if *v.dst = os.Getenv(v.name); *v.dst == "" {
			fmt.Fprintf(stderr, "wrapper fleet status: %s: the variable %s is not set\n", v.flag, v.name)
			return ExitUsage
		}
	}
	if *serve != "" || *tlsCert != "" || *tlsKey != "" {
		if *asJSON {
			fmt.Fprintln(stderr, "wrapper fleet status: --json and --serve exclude each other")
			return ExitUsage
		}
		return serveFleet(fleetServe{addr: *serve, cert: *tlsCert, key: *tlsKey, tokenEnv: *tokenEnv}, opts, stdout, stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := fleet.Gather(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper fleet status: %v\n", err)
		return ExitError
	}
	if *asJSON {
		var b bytes.Buffer // other hosts' strings: escaped as for status --json
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rows)
		_, _ = stdout.Write(termsafe.JSON(b.Bytes()))
		return ExitOK
	}
	_ = fleet.WriteTable(stdout, rows)
	return ExitOK
}

// fleetServe is what `fleet status --serve` was given.
type fleetServe struct{ addr, cert, key, tokenEnv string }

// serveFleet serves the fleet page (docs/fleet.md, "Fleet page") until
// SIGINT or SIGTERM. The wrappers' token, when given, is also the one the
// browser must present: the page shows what it reads with it. An address
// other than loopback needs that token and HTTPS.
func serveFleet(f fleetServe, opts fleet.Options, stdout, stderr io.Writer) int {
	switch {
	case f.addr == "":
		fmt.Fprintln(stderr, "wrapper fleet status: --tls-cert and --tls-key go with --serve ADDR")
		return ExitUsage
	case (f.cert == "") != (f.key == ""):
		fmt.Fprintln(stderr, "wrapper fleet status: --tls-cert and --tls-key go together")
		return ExitUsage
	case !httpapi.IsLoopback(f.addr) && (opts.StatusToken == "" || f.cert == ""):
		fmt.Fprintf(stderr, "wrapper fleet status: --serve %s is reachable from other machines: it needs a token "+
			"(--token-env NAME) and HTTPS (--tls-cert, --tls-key), or listen on 127.0.0.1\n", f.addr)
		return ExitUsage
	case opts.StatusToken != "" && len(opts.StatusToken) < httpapi.MinTokenLength:
		fmt.Fprintf(stderr, "wrapper fleet status: the token in %s is %d bytes long; the page needs at least %d\n",
			f.tokenEnv, len(opts.StatusToken), httpapi.MinTokenLength)
		return ExitUsage
	}
	o := httpapi.PageOptions{Listen: f.addr, Secret: []byte(opts.StatusToken), Title: "wrapper fleet", Cookie: "wrapper_fleet_session",
		TokenHint: "The token is the one in the variable " + f.tokenEnv + " of wrapper fleet status --serve.",
		Page:      fleet.NewView(opts).Render}
	scheme := "http"
	if f.cert != "" {
		cert, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			fmt.Fprintf(stderr, "wrapper fleet status: %v\n", err)
			return ExitUsage
		}
		o.TLS, scheme = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, "https"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := httpapi.ListenPage(o)
	if err != nil {
		fmt.Fprintf(stderr, "wrapper fleet status: %v\n", err)
		return ExitError
	}
	fmt.Fprintf(stdout, "serving the fleet page on %s://%s/ (Ctrl-C stops)\n", scheme, srv.Addr())
	<-ctx.Done()
	srv.Close()
	return ExitOK
}

// listedService is one row of `wrapper list`.
type listedService struct {
	Name  string `json:"name"`
	State string `json:"state"` // the service manager's
	// Config is the YAML the service reads: its binary path's --config
	// (Windows), the unit's (Linux), else the one beside the wrapper; ""
	// when there is none.
	Config  string `json:"config"`
	Program string `json:"program,omitempty"` // Windows: the wrapper executable the SCM starts
}

// listCommand returns `wrapper list`: the services of this machine that
// run a wrapper, which gather finds, as a table or as JSON.
func listCommand(gather func() ([]listedService, error)) func(args []string, stdout, stderr io.Writer) int {
	return func(args []string, stdout, stderr io.Writer) int {
		fs := newFlagSet("list", "list [--json]", stdout)
		asJSON := fs.Bool("json", false, "print the services as JSON")
		if code, done := parseFlags(fs, args, stderr); done {
			return code
		}
		rows, err := gather()
		if err != nil {
			fmt.Fprintf(stderr, "wrapper list: %v\n", err)
			if errors.Is(err, os.ErrPermission) {
				return ExitNotAdmin
			}
			return ExitError
		}
		if *asJSON {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetIndent("", "  ")
			_ = enc.Encode(append([]listedService{}, rows...)) // [] rather than null
			_, _ = stdout.Write(termsafe.JSON(b.Bytes()))
			return ExitOK
		}
		writeList(stdout, rows)
		return ExitOK
	}
}

// writeList prints the rows as a table; the program column only where the
// platform has one.
func writeList(w io.Writer, rows []listedService) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no service runs a wrapper")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	program := slices.ContainsFunc(rows, func(r listedService) bool { return r.Program != "" })
	header := "SERVICE\tSTATE\tCONFIG"
	if program {
		header += "\tPROGRAM"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		config := r.Config
		if config == "" {
			config = "(none found)"
		}
		line := termsafe.String(r.Name) + "\t" + termsafe.String(r.State) + "\t" + termsafe.String(config)
		if program {
			line += "\t" + termsafe.String(r.Program)
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush()
}
