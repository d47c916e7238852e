package wrapper

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/starttrace"
)

// cmdRun runs the child in the foreground until SIGINT/SIGTERM (Ctrl-C in a
// console), then stops it gracefully and exits.
func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "run [--config FILE]", stdout)
	path := fs.String("config", "", configFlagUsage)
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	// The child runs in its own process group (Unix) so a terminal's Ctrl-C
	// reaches only the wrapper, which then stops the child in order.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	starttrace.Mark("signals")
	defer stop()
	cfg, code := loadConfig(*path, stderr)
	starttrace.Mark("config")
	if cfg == nil {
		return code
	}
	return runHost(ctx, cfg, hostOptions{console: stderr})
}

// cmdValidate loads the configuration and reports every problem at once.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", "validate [--config FILE] [--print]", stdout)
	path := fs.String("config", "", configFlagUsage)
	print := fs.Bool("print", false, "print the effective configuration (defaults filled, paths absolute, env values and the heartbeat URL's path masked) as JSON")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	cfg, code := loadConfig(*path, stderr)
	if cfg == nil {
		return code
	}
	if *print {
		shown := *cfg
		shown.Env = config.MaskEnv(cfg.Env) // values are often secrets
		if shown.Heartbeat.Enabled() {
			shown.Heartbeat.URL = config.MaskURL(cfg.Heartbeat.URL) // its path is the secret
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&shown); err != nil {
			fmt.Fprintf(stderr, "wrapper: print configuration: %v\n", err)
			return ExitError
		}
		return ExitOK
	}
	fmt.Fprintf(stdout, "%s: ok\n", cfg.File)
	return ExitOK
}
