package wrapper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplaceFile: every call leaves exactly its data at the path, whether
// the file is new, longer or shorter than before, and a failed write
// names the file.
func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "svc.status.json")
	for i, data := range []string{
		"{\"state\": \"starting\"}\n",                // no file yet
		"{\"state\": \"running\", \"pid\": 12345}\n", // longer
		"{}\n", // much shorter: no tail of the old one
		"{\"state\": \"exited\", \"restarts\": 7}\n", // longer again
		"{\"state\": \"exited\", \"restarts\": 8}\n", // same length
	} {
		if err := replaceFile(path, []byte(data)); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("after write %d: %q, %v; want %q", i, got, err, data)
		}
	}
	err := replaceFile(filepath.Join(dir, "missing", "svc.status.json"), []byte("{}\n"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join("missing", "svc.status.json.tmp")) {
		t.Errorf("write into a missing folder: %v, want an error naming the file", err)
	}
}
