package wrapper

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows/svc"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/scm"
)

// handlerRun is one Execute call driven through its channels, with no SCM.
type handlerRun struct {
	r      chan svc.ChangeRequest
	s      chan svc.Status
	events *recordedEvents
	done   chan [2]uint32  // svcSpecificEC (0/1), exitCode
	h      *serviceHandler // its code is the wrapper's exit code once done
}

// startHandler runs Execute for service "svc" with the given load and run.
func startHandler(t *testing.T, load func(string, string) (*config.Config, error),
	run func(context.Context, *config.Config, hostOptions) int) *handlerRun {
	t.Helper()
	return startHandlerArgs(t, []string{"svc"}, load, run)
}

// startHandlerArgs runs Execute with args (the service name, then the
// start arguments) and the given load and run.
func startHandlerArgs(t *testing.T, args []string, load func(string, string) (*config.Config, error),
	run func(context.Context, *config.Config, hostOptions) int) *handlerRun {
	t.Helper()
	hr := &handlerRun{r: make(chan svc.ChangeRequest), s: make(chan svc.Status, 100),
		events: &recordedEvents{}, done: make(chan [2]uint32, 1)}
	h := &serviceHandler{load: load, run: run,
		openEvents: func(string) (scm.EventWriter, func()) { return hr.events, func() {} }}
	hr.h = h
	go func() {
		spec, code := h.Execute(args, hr.r, hr.s)
		b := uint32(0)
		if spec {
			b = 1
		}
		hr.done <- [2]uint32{b, code}
	}()
	return hr
}

// next returns the next reported status.
func (hr *handlerRun) next(t *testing.T) svc.Status {
	t.Helper()
	select {
	case st := <-hr.s:
		return st
	case <-time.After(30 * time.Second):
		t.Fatal("no status reported")
		return svc.Status{}
	}
}

// result waits for Execute to return.
func (hr *handlerRun) result(t *testing.T) (bool, uint32) {
	t.Helper()
	select {
	case d := <-hr.done:
		return d[0] == 1, d[1]
	case <-time.After(30 * time.Second):
		t.Fatal("Execute did not return")
		return false, 0
	}
}

func okConfig(_, name string) (*config.Config, error) {
	return &config.Config{Name: name, File: `C:\svc\svc.yaml`, Stop: config.Stop{Timeout: 2 * time.Second}}, nil
}

func TestServiceHandlerStartInterrogateStop(t *testing.T) {
	started := make(chan struct{})
	hr := startHandler(t, okConfig, func(ctx context.Context, _ *config.Config, o hostOptions) int {
		if o.console != nil || o.extra == nil || o.ready == nil || o.startArgs != nil {
			t.Errorf("service mode: console %v (want nil), extra %v (want the Event Log), ready set %v, start arguments %q (want none)",
				o.console, o.extra, o.ready != nil, o.startArgs)
		}
		close(started)
		o.ready()
		<-ctx.Done()
		return ExitOK
	})
	if st := hr.next(t); st.State != svc.StartPending {
		t.Fatalf("first status %v, want StartPending", st.State)
	}
	running := hr.next(t)
	if running.State != svc.Running || running.Accepts&svc.AcceptStop == 0 || running.Accepts&svc.AcceptShutdown == 0 {
		t.Fatalf("second status %+v, want Running accepting stop and shutdown", running)
	}
	<-started
	hr.r <- svc.ChangeRequest{Cmd: svc.Interrogate, CurrentStatus: running}
	if st := hr.next(t); st != running {
		t.Fatalf("interrogate answered %+v, want %+v", st, running)
	}
	hr.r <- svc.ChangeRequest{Cmd: svc.Stop}
	st := hr.next(t)
	if st.State != svc.StopPending || st.WaitHint < ms(2*time.Second) {
		t.Fatalf("after stop: %+v, want StopPending with a wait hint covering stop.timeout", st)
	}
	if spec, code := hr.result(t); spec || code != 0 {
		t.Fatalf("Execute = %v, %d; want false, 0", spec, code)
	}
}

func TestServiceHandlerBrokenConfig(t *testing.T) {
	hr := startHandler(t, func(string, string) (*config.Config, error) {
		return nil, errors.New(`C:\svc\svc.yaml:3: restart.dealy: unknown key`)
	}, func(context.Context, *config.Config, hostOptions) int {
		t.Error("run called with a broken config")
		return ExitOK
	})
	hr.next(t) // StartPending
	// An invalid YAML must not be restarted by the SCM's recovery actions:
	// a clean stop (scmExit), the reason in the Event Log.
	if spec, code := hr.result(t); spec || code != 0 || hr.h.code != ExitUsage {
		t.Fatalf("Execute = %v, %d (wrapper code %d); want a clean stop for wrapper code %d", spec, code, hr.h.code, ExitUsage)
	}
	if len(*hr.events) != 1 || !strings.Contains((*hr.events)[0], "restart.dealy") || !strings.HasPrefix((*hr.events)[0], "error:") {
		t.Errorf("event log = %q, want one error naming the problem", *hr.events)
	}
}

func TestServiceHandlerSupervisorGivesUp(t *testing.T) {
	hr := startHandler(t, okConfig, func(_ context.Context, _ *config.Config, o hostOptions) int {
		o.ready()
		return ExitGaveUp
	})
	hr.next(t) // StartPending
	hr.next(t) // Running
	if spec, code := hr.result(t); !spec || code != ExitGaveUp {
		t.Fatalf("Execute = %v, %d; want a service-specific %d so that SCM recovery applies", spec, code, ExitGaveUp)
	}
}

// TestServiceHandlerInterrogateWhileStarting: before the host is ready the
// handler answers Interrogate with StartPending, then reports Running.
func TestServiceHandlerInterrogateWhileStarting(t *testing.T) {
	release := make(chan struct{})
	hr := startHandler(t, okConfig, func(ctx context.Context, _ *config.Config, o hostOptions) int {
		<-release
		o.ready()
		<-ctx.Done()
		return ExitOK
	})
	first := hr.next(t)
	if first.State != svc.StartPending {
		t.Fatalf("first status %v, want StartPending", first.State)
	}
	hr.r <- svc.ChangeRequest{Cmd: svc.Interrogate, CurrentStatus: first}
	if st := hr.next(t); st.State != svc.StartPending {
		t.Fatalf("interrogate while starting answered %v, want StartPending", st.State)
	}
	close(release)
	for st := hr.next(t); st.State != svc.Running; st = hr.next(t) {
		if st.State != svc.StartPending { // a checkpoint may come first on a slow machine
			t.Fatalf("status %v after ready, want Running", st.State)
		}
	}
	hr.r <- svc.ChangeRequest{Cmd: svc.Stop}
	if spec, code := hr.result(t); spec || code != 0 {
		t.Fatalf("Execute = %v, %d; want false, 0", spec, code)
	}
}

// TestServiceHandlerFailsBeforeReady: a host that ends before it is ready
// (its log directory cannot be created) never makes the service RUNNING:
// the start fails, with the host's exit code.
func TestServiceHandlerFailsBeforeReady(t *testing.T) {
	hr := startHandler(t, okConfig, func(context.Context, *config.Config, hostOptions) int {
		return ExitError
	})
	if st := hr.next(t); st.State != svc.StartPending {
		t.Fatalf("first status %v, want StartPending", st.State)
	}
	if spec, code := hr.result(t); !spec || code != ExitError {
		t.Fatalf("Execute = %v, %d; want a service-specific %d", spec, code, ExitError)
	}
	select {
	case st := <-hr.s:
		t.Fatalf("status %v reported after a failed start, want none", st.State)
	default:
	}
	if len(*hr.events) != 1 || !strings.Contains((*hr.events)[0], "cannot start") {
		t.Errorf("event log = %q, want one error saying the start failed", *hr.events)
	}
}

// TestServiceHandlerStartArgs: `sc start NAME a b` hands the handler
// [NAME a b]; with pass_start_args the host gets [a b] to append to the
// child's arguments, without it none, and the Event Log says which.
func TestServiceHandlerStartArgs(t *testing.T) {
	for _, pass := range []bool{true, false} {
		t.Run(fmt.Sprint(pass), func(t *testing.T) {
			got := make(chan []string, 1)
			hr := startHandlerArgs(t, []string{"svc", "a", "b c"}, func(path, name string) (*config.Config, error) {
				cfg, err := okConfig(path, name)
				cfg.PassStartArgs = pass
				return cfg, err
			}, func(ctx context.Context, _ *config.Config, o hostOptions) int {
				got <- o.startArgs
				o.ready()
				<-ctx.Done()
				return ExitOK
			})
			hr.next(t) // StartPending
			hr.next(t) // Running
			want, event := []string{"a", "b c"}, "info:start arguments passed to the child service=svc count=2"
			if !pass {
				want, event = nil, "warning:start arguments ignored: pass_start_args is false service=svc count=2"
			}
			if args := <-got; !slices.Equal(args, want) {
				t.Errorf("start arguments for the host %q, want %q", args, want)
			}
			hr.r <- svc.ChangeRequest{Cmd: svc.Stop}
			hr.result(t)
			if !slices.Contains(*hr.events, event) {
				t.Errorf("event log = %q, want %q", *hr.events, event)
			}
		})
	}
}

func TestServiceConfigFlag(t *testing.T) {
	tests := []struct {
		args []string
		want string
		bad  bool
	}{
		{nil, "", false},
		{[]string{"--config", `C:\x.yaml`}, `C:\x.yaml`, false},
		{[]string{"run", "--config", `C:\x.yaml`}, `C:\x.yaml`, false},
		{[]string{"service"}, "", false},
		{[]string{"--nope"}, "", true},
		{[]string{"extra"}, "", true},
	}
	for _, tt := range tests {
		got, err := serviceConfigFlag(tt.args)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("serviceConfigFlag(%q) = %q, %v", tt.args, got, err)
		}
	}
}

func TestStopBudgetCoversHooks(t *testing.T) {
	cfg := &config.Config{Stop: config.Stop{Timeout: 10 * time.Second, WindowTimeout: 2 * time.Second}}
	if got := stopBudget(cfg); got != 12*time.Second+stopSlack {
		t.Errorf("no hooks: %v", got)
	}
	cfg.Hooks.PreStop = config.Hook{Command: []string{"x"}, Timeout: 30 * time.Second}
	cfg.Hooks.PostStop = config.Hook{Command: []string{"y"}, Timeout: 5 * time.Second}
	if got := stopBudget(cfg); got != 47*time.Second+stopSlack {
		t.Errorf("with pre_stop and post_stop hooks: %v", got)
	}
	cfg.Stop.Steps = []config.StopStep{{Kind: config.StepCtrlBreak, Timeout: time.Second}, {Kind: config.StepHTTP, Timeout: 4 * time.Second}}
	if got := stopBudget(cfg); got != 40*time.Second+stopSlack {
		t.Errorf("with stop steps and hooks: %v", got)
	}
}

// recordedEvents is an Event Log that remembers each entry as
// "kind:text", text being its first insertion string (what Event Viewer
// shows).
type recordedEvents []string

func (r *recordedEvents) Report(kind scm.EventType, _ uint32, strs []string) error {
	*r = append(*r, []string{"info", "warning", "error"}[kind]+":"+strs[0])
	return nil
}
