package wrapper

import (
	"regexp"
	"strings"
	"testing"
)

func init() { platformHelpers = append(platformHelpers, "alloc") }

// TestRunLimitRestart: a child whose grandchild holds 160 MB goes over
// `limits: {memory: 96MB}` (the child alone holds far less) and is
// restarted by a running wrapper as a failure, with reason limit, which
// `wrapper status` shows with the breach.
func TestRunLimitRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "alloc", []string{"160", "grandchild"},
		"limits: {memory: 96MB}\nrestart: {delay: 1s, max_delay: 1h}\nstop: {timeout: 5s}\n"))
	startWrapper(t, cfg)
	var out string
	waitFor(t, "a restart for the limit in the status", func() bool {
		_, out, _ = runMain(t, "status", "--config", cfg)
		return strings.Contains(out, "last because of: limit")
	})
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`restarts: +[1-9][0-9]* \(consecutive failures: [1-9][0-9]*\), last because of: limit\n`),
		regexp.MustCompile(`limit: +memory [0-9.]+ [MG]B > 96 MB, at 20`),
	} {
		if !want.MatchString(out) {
			t.Errorf("status does not match %s:\n%s", want, out)
		}
	}
	rep := liveStatusOf(t, cfg)
	if rep.Status.LastRestartCause != "limit" || rep.Status.LastLimit == nil ||
		!strings.HasPrefix(rep.Status.LastLimit.Breach, "memory ") {
		t.Errorf("status --json: %+v", rep.Status.File)
	}
	if log := readLog(t, dir, "svc.wrapper.log"); !strings.Contains(log, `msg="limit exceeded, restarting"`) {
		t.Errorf("the wrapper's log does not say why it restarted:\n%s", log)
	}
}
