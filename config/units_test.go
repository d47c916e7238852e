package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string // substring of the error; "" = no error
	}{
		{"0", 0, ""},
		{"0s", 0, ""},
		{"-0s", 0, ""},
		{"+5s", 5 * time.Second, ""},
		{"300ms", 300 * time.Millisecond, ""},
		{"1.5s", 1500 * time.Millisecond, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"2us", 2 * time.Microsecond, ""},
		{"2µs", 2 * time.Microsecond, ""},
		{"10ns", 10, ""},
		{"1d", 24 * time.Hour, ""},
		{"30d", 720 * time.Hour, ""},
		{"1.5d", 36 * time.Hour, ""},
		{"0.1d", 2*time.Hour + 24*time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"1d1d", 48 * time.Hour, ""},
		{"2h1d", 26 * time.Hour, ""},
		{"106751d", 106751 * 24 * time.Hour, ""},
		{"", 0, "empty duration"},
		{"5", 0, `invalid duration "5": missing unit (e.g. "5s")`},
		{"1.5", 0, "missing unit"},
		{"-5s", 0, `duration "-5s" must not be negative`},
		{"-1d", 0, "must not be negative"},
		{"soon", 0, `invalid duration "soon"`},
		{"5 s", 0, "invalid duration"},
		{"1h30", 0, "invalid duration"},
		{"1w", 0, "invalid duration"},
		{"d", 0, "invalid duration"},
		{".d", 0, "invalid duration"},
		{"1..5s", 0, "invalid duration"},
		{"1D", 0, "invalid duration"},
		{"--5s", 0, "invalid duration"},
		{"106752d", 0, "invalid duration"},
		{"99999999999999999999d", 0, "invalid duration"},
		{"106751d23h", (106751*24 + 23) * time.Hour, ""},
		{"106751d24h", 0, "too large"},
		{"9223372036s", 9223372036 * time.Second, ""},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"0", 0, ""},
		{"1024", 1024, ""},
		{"10B", 10, ""},
		{"1KB", 1 << 10, ""},
		{"1kb", 1 << 10, ""},
		{"1KiB", 1 << 10, ""},
		{"1kib", 1 << 10, ""},
		{"10MB", 10 << 20, ""},
		{"10 MB", 10 << 20, ""},
		{"10   MiB", 10 << 20, ""},
		{"2GB", 2 << 30, ""},
		{"2GiB", 2 << 30, ""},
		{"2gB", 2 << 30, ""},
		{"8589934591GB", 8589934591 << 30, ""},
		{"8589934592GB", 0, "too large"},
		{"99999999999999999999", 0, "too large"},
		{"", 0, "invalid size"},
		{"MB", 0, "invalid size"},
		{"10XB", 0, "invalid size"},
		{"10K", 0, "invalid size"},
		{"10TB", 0, "invalid size"},
		{"1.5MB", 0, "invalid size"},
		{" 10MB", 0, "invalid size"},
		{"10MB ", 0, "invalid size"},
		{"-1", 0, "must not be negative"},
		{"-10MB", 0, "must not be negative"},
		{"0x10", 0, "invalid size"},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("parseSize(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseSize(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for in, want := range map[int64]string{0: "0B", 1000: "1000B", 1024: "1KB", 1536: "1536B", 10 << 20: "10MB", 3 << 30: "3GB"} {
		if got := formatSize(in); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", in, got, want)
		}
	}
}
