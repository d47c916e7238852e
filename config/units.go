package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseDuration parses Go duration syntax (300ms, 1.5h, 1h30m) extended
// with a `d` unit of 24 hours (7d, 1d12h). Negative durations are rejected:
// no setting of the wrapper has a meaning for them.
func parseDuration(s string) (time.Duration, error) {
	orig := s
	if s == "" {
		return 0, errors.New("empty duration (use e.g. 30s, 5m, 1h30m or 7d)")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	if s == "0" {
		return 0, nil
	}
	if s != "" && strings.Trim(s, "0123456789.") == "" {
		return 0, fmt.Errorf("invalid duration %q: missing unit (e.g. \"%ss\")", orig, s)
	}
	var total time.Duration
	for s != "" {
		i := strings.IndexFunc(s, notNumber)
		if i <= 0 {
			return 0, invalidDuration(orig)
		}
		j := i + strings.IndexFunc(s[i:], isNumber)
		if j < i {
			j = len(s)
		}
		d, err := durationTerm(s[:i], s[i:j])
		if err != nil {
			return 0, invalidDuration(orig)
		}
		if d > math.MaxInt64-total {
			return 0, fmt.Errorf("duration %q is too large", orig)
		}
		total += d
		s = s[j:]
	}
	if neg && total != 0 {
		return 0, fmt.Errorf("duration %q must not be negative", orig)
	}
	return total, nil
}

// durationTerm parses one number+unit term such as "1.5" "h" or "7" "d".
func durationTerm(num, unit string) (time.Duration, error) {
	if unit != "d" {
		return time.ParseDuration(num + unit)
	}
	// A day is parsed as hours and scaled so that fractions stay exact
	// (0.1d is exactly 2h24m); time.ParseDuration has no day unit.
	h, err := time.ParseDuration(num + "h")
	if err != nil {
		return 0, err
	}
	if h > math.MaxInt64/24 {
		return 0, errors.New("overflow")
	}
	return h * 24, nil
}

func invalidDuration(s string) error {
	return fmt.Errorf("invalid duration %q (use a number and a unit: ns, us, ms, s, m, h or d; e.g. 1h30m or 7d)", s)
}

func isNumber(r rune) bool  { return r == '.' || ('0' <= r && r <= '9') }
func notNumber(r rune) bool { return !isNumber(r) }

// sizeUnits maps lower-case size suffixes to their factor. Every unit is
// 1024-based: logs are sized like files on disk, and "MB" meaning MiB is what
// users of rotation tools expect.
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"kb":  1 << 10,
	"kib": 1 << 10,
	"mb":  1 << 20,
	"mib": 1 << 20,
	"gb":  1 << 30,
	"gib": 1 << 30,
}

// parseSize parses a byte count: a whole number optionally followed (with
// or without spaces) by B, KB, MB, GB, KiB, MiB or GiB, case-insensitive.
func parseSize(s string) (int64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], strings.ToLower(strings.TrimLeft(s[i:], " "))
	factor, ok := sizeUnits[unit]
	if num == "" || !ok {
		if strings.HasPrefix(s, "-") {
			return 0, fmt.Errorf("size %q must not be negative", s)
		}
		return 0, fmt.Errorf("invalid size %q (use a whole number of bytes, or with a unit B, KB, MB or GB, e.g. 10MB)", s)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > math.MaxInt64/factor {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * factor, nil
}

// formatSize renders n bytes in the largest unit that divides it exactly,
// for messages and documentation.
func formatSize(n int64) string {
	for _, u := range []struct {
		name   string
		factor int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if n != 0 && n%u.factor == 0 {
			return strconv.FormatInt(n/u.factor, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
