package wrapper

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/logrotate"
)

func init() { platformHelpers = append(platformHelpers, "write-bytes") }

// TestRunDecodesAndRotatesOnTime: a real wrapper runs a child three times
// (exit 0 made a failure, so that the circuit breaker ends the run), each run
// writing one GBK line cut inside a character, a second apart; with
// log.encoding gbk and log.rotate_every 1s the stdout files hold exactly
// the three UTF-8 lines, whole, and at least one rotation by time fell
// between the runs.
func TestRunDecodesAndRotatesOnTime(t *testing.T) {
	dir := t.TempDir()
	gbk := []byte{0xb5, 0xda, 0xd2, 0xbb, 0xd0, 0xd0, ' ', 'o', 'k', '\n'} // 第一行 ok
	args := []string{hex.EncodeToString(gbk[:3]), hex.EncodeToString(gbk[3:])}
	cfg := writeFile(t, dir, "svc.yaml", childYAML(t, "write-bytes", args,
		"restart: {delay: 1s, success_exit_codes: [7], max_failures: 3}\nlog: {encoding: GBK, rotate_every: 1s}\n"))
	if code, _, stderr := runMain(t, "run", "--config", cfg); code != ExitGaveUp {
		t.Fatalf("exit code %d, want %d (gave up); stderr:\n%s", code, ExitGaveUp, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "logs", "svc.out-*.log"))
	sort.Strings(files)
	files = append(files, filepath.Join(dir, "logs", "svc.out.log"))
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	if got, want := all.String(), strings.Repeat("第一行 ok\n", 3); got != want {
		t.Errorf("stdout files hold %q, want %q", got, want)
	}
	if len(files) < 2 {
		t.Errorf("no backup: the runs a second apart were not rotated by time")
	}
}

// TestLogLimitsOfEachFile: the child's files get every log setting; the
// wrapper's own log (UTF-8 from slog, stamped by it) no timestamps and no
// decoding.
func TestLogLimitsOfEachFile(t *testing.T) {
	cfg := &config.Config{Log: config.Log{MaxSize: 2048, MaxFiles: 3, Compress: "gzip", Timestamps: true,
		RotateEvery: 3600e9, Encoding: "gbk"}}
	child, own := logLimits(cfg, false), logLimits(cfg, true)
	if !child.Timestamps || child.Encoding != "gbk" || child.RotateEvery != 3600e9 || child.MaxSize != 2048 {
		t.Errorf("child's limits %+v", child)
	}
	if own.Timestamps || own.Encoding != "" || own.RotateEvery != 3600e9 || own.Compress != logrotate.Gzip || own.MaxFiles != 3 {
		t.Errorf("wrapper log's limits %+v", own)
	}
}
