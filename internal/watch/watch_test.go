package watch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWatchSeesSaves: File and Poll report a save in place and a save by
// renaming a new file over the old one (as many editors do), and stop
// when their context ends.
func TestWatchSeesSaves(t *testing.T) {
	for name, run := range map[string]func(context.Context, string, func()){
		"file": func(ctx context.Context, path string, changed func()) {
			File(ctx, path, changed, func(err error) { t.Logf("no file-change events, polling: %v", err) })
		},
		"poll": Poll,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "svc.yaml")
			if err := os.WriteFile(path, []byte("name: a\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			changed := make(chan struct{}, 10)
			done := make(chan struct{})
			go func() { run(ctx, path, func() { changed <- struct{}{} }); close(done) }()
			content := "name: a\n"
			// expect saves until the watcher reports a change: the watcher
			// may not have looked at the file before the first save. Each
			// save makes the file longer, so its size changes too.
			expect := func(what string, save func()) {
				t.Helper()
				deadline := time.After(30 * time.Second)
				for {
					content += "# more\n"
					save()
					select {
					case <-changed:
						return
					case <-time.After(500 * time.Millisecond):
					case <-deadline:
						t.Fatalf("no change reported after %s", what)
					}
				}
			}
			expect("a save in place", func() {
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			})
			expect("a save by rename", func() {
				tmp := path + ".new"
				if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(tmp, path); err != nil {
					t.Fatal(err)
				}
			})
			cancel()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the watcher did not stop with its context")
			}
		})
	}
}
