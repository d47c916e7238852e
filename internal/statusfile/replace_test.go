package statusfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReplace: every call leaves exactly its data at the path, whether the
// file is new, longer or shorter than before; no temporary file is left;
// and a failed write names the file.
func TestReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "svc.status.json")
	for i, data := range []string{
		"{\"state\": \"starting\"}\n",                // no file yet
		"{\"state\": \"running\", \"pid\": 12345}\n", // longer
		"{}\n", // much shorter: no tail of the old one
		"{\"state\": \"exited\", \"restarts\": 8}\n", // longer again
	} {
		if err := Replace(path, []byte(data)); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("after write %d: %q, %v; want %q", i, got, err, data)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the status file", len(entries))
	}
	err := Replace(filepath.Join(dir, "missing", "svc.status.json"), []byte("{}\n"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join("missing", "svc.status.json")) {
		t.Errorf("write into a missing folder: %v, want an error naming the file", err)
	}
}

// TestPublisherWritesNewest: after Close the file holds the last update,
// completed by fill.
func TestPublisherWritesNewest(t *testing.T) {
	path := Path(t.TempDir(), "svc")
	p := NewPublisher(path, func(f *File) { f.StderrTail = []string{"filled"} })
	for i := range 50 {
		p.Update(File{Service: "svc", State: "running", Restarts: i, Updated: time.Unix(int64(i), 0)})
	}
	p.Close()
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Restarts != 49 || f.Service != "svc" || len(f.StderrTail) != 1 || f.StderrTail[0] != "filled" {
		t.Errorf("read %+v, want the last update (restarts 49), filled in", f)
	}
}
