package wrapper

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Version is the wrapper's version, set at build time with
// -ldflags "-X github.com/wrapper-dev/wrapper/wrapper.Version=v1.2.3".
// When empty, the module version or VCS revision from the build info is used.
var Version = ""

// version returns the best version string available.
func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

// cmdVersion prints the version, Go version and platform.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "version", stdout)
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	fmt.Fprintf(stdout, "wrapper %s (%s %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}
