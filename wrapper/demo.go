package wrapper

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/wrapper-dev/wrapper/config"
)

//go:embed demo.yaml
var demoYAML []byte

// cmdDemo writes the embedded demo configuration into a folder and runs it in
// the foreground, then lists the log files it produced.
func cmdDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo", "demo [--dir DIR] [--for DURATION]", stdout)
	dir := fs.String("dir", "wrapper-demo", "`dir`ectory for demo.yaml and the logs/ it produces")
	dur := fs.Duration("for", 0, "stop the demo after this `duration` (0 = run until Ctrl-C)")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	abs, err := filepath.Abs(*dir)
	if err == nil {
		err = os.MkdirAll(abs, 0o755)
	}
	path := filepath.Join(abs, "demo.yaml")
	if err == nil {
		err = os.WriteFile(path, demoYAML, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wrapper: prepare demo folder: %v\n", err)
		return ExitError
	}
	exe, err := executable()
	if err != nil {
		fmt.Fprintf(stderr, "wrapper: %v\n", err)
		return ExitError
	}
	cfg, err := config.Parse(path, demoYAML, configOptions(exe))
	if err != nil {
		reportConfigError(stderr, err)
		return ExitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	fmt.Fprintf(stderr, "demo: supervising %s; logs in %s (Ctrl-C to stop)\n", path, cfg.Log.Dir)
	code := runHost(ctx, cfg, hostOptions{console: stderr})
	listLogs(stdout, cfg.Log.Dir)
	return code
}

// listLogs prints the files of dir with their sizes.
func listLogs(w io.Writer, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		fmt.Fprintf(w, "demo: list %s: %v\n", dir, err)
		return
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	fmt.Fprintf(w, "demo: log files in %s:\n", dir)
	for _, n := range names {
		if info, err := os.Stat(filepath.Join(dir, n)); err == nil {
			fmt.Fprintf(w, "  %10d  %s\n", info.Size(), n)
		}
	}
}

// cmdDemoChild is the demo's child: numbered lines on stdout at a steady
// rate, a heartbeat on stderr, and a simulated crash (exit 3) after a random
// time around --crash-after. It exits 0 on SIGINT/SIGTERM.
func cmdDemoChild(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo-child", "demo-child [--rate N] [--crash-after DURATION]", stdout)
	rate := fs.Int("rate", 200, "`N` lines per second on stdout")
	crashAfter := fs.Duration("crash-after", 5*time.Second, "mean run time (a `duration`) before a simulated crash (0 = never)")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	if *rate < 1 {
		*rate = 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var crash <-chan time.Time
	if *crashAfter > 0 {
		jitter := time.Duration(rand.Int64N(int64(*crashAfter)))
		crash = time.After(*crashAfter/2 + jitter)
	}
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	defer tick.Stop()
	filler := strings.Repeat("lorem ipsum ", 6)
	fmt.Fprintf(stderr, "demo child: started pid=%d\n", os.Getpid())
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			fmt.Fprintf(stderr, "demo child: stopping on signal after %d lines\n", n-1)
			return 0
		case <-crash:
			fmt.Fprintf(stderr, "demo child: simulated crash after %d lines\n", n-1)
			return 3
		case <-tick.C:
			fmt.Fprintf(stdout, "demo line %07d %s\n", n, filler)
			if n%(*rate) == 0 {
				fmt.Fprintf(stderr, "demo child: heartbeat, %d lines so far\n", n)
			}
		}
	}
}
