package wrapper

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPrintTail(t *testing.T) {
	big := strings.Repeat("l\n", 100000) + "last\n" // larger than one 64 KiB block
	tests := []struct {
		content string
		n       int
		want    string
	}{
		{"a\nb\nc\n", 2, "b\nc\n"},
		{"a\nb\nc\n", 3, "a\nb\nc\n"},
		{"a\nb\nc\n", 10, "a\nb\nc\n"},
		{"a\nb\nc", 1, "c"}, // partial last line
		{"a\nb\nc\n", 0, ""},
		{"", 5, ""},
		{big, 2, "l\nlast\n"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "x.log")
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := showLog(context.Background(), &out, path, tt.n, false); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("last %d of %.20q = %q, want %q", tt.n, tt.content, out.String(), tt.want)
		}
	}
}

// TestFollowAcrossRotation follows a log while it grows and is rotated by
// rename, as logrotate does, and expects every line once, in order.
func TestFollowAcrossRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "svc.out.log")
	if err := os.WriteFile(path, []byte("old 1\nold 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- showLog(ctx, pw, path, 1, true); pw.Close() }()
	lines := bufio.NewScanner(pr)
	expect := func(want string) {
		t.Helper()
		got := make(chan string, 1)
		go func() {
			if lines.Scan() {
				got <- lines.Text()
			}
			close(got)
		}()
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("followed line %q, want %q", g, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no line %q", want)
		}
	}
	appendTo := func(p, s string) {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(s)
		f.Close()
	}
	expect("old 2")
	appendTo(path, "new 3\n")
	expect("new 3")
	// Rotate: a last line lands in the old file just before the rename,
	// then the new file gets its own.
	appendTo(path, "before rotation 4\n")
	if err := os.Rename(path, filepath.Join(dir, "svc.out-1.log")); err != nil {
		t.Fatal(err)
	}
	appendTo(path, "after rotation 5\n")
	expect("before rotation 4")
	expect("after rotation 5")
	for i := 6; i <= 8; i++ {
		appendTo(path, fmt.Sprintf("line %d\n", i))
		expect(fmt.Sprintf("line %d", i))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
