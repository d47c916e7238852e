//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStdinFileNotAPipe: a named pipe would block the program's start
// (opening it waits for a writer).
func TestStdinFileNotAPipe(t *testing.T) {
	dir := recoveryDir(t)
	fifo := filepath.Join(dir, "in.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := "executable: bin/app.exe\nstdin: {file: in.fifo}\n"
	_, err := parse(filepath.Join(dir, "svc.yaml"), []byte(yaml), Options{DefaultName: "svc", LookupEnv: mapEnv(nil)}, false)
	if err == nil || !strings.Contains(err.Error(), "is not a regular file or a device") {
		t.Fatalf("a named pipe: %v", err)
	}
	if _, err := os.Stat(fifo); err != nil {
		t.Fatal(err)
	}
}
