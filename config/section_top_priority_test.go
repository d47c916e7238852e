package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseCPUs: the CPU list and mask forms, one row per rule.
func TestParseCPUs(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		err  string // part of the error; "" for success
	}{
		{"0", []int{0}, ""},
		{"3", []int{3}, ""},
		{"0-3", []int{0, 1, 2, 3}, ""},
		{"0-3,8", []int{0, 1, 2, 3, 8}, ""},
		{"8,0-1", []int{0, 1, 8}, ""},                       // ascending whatever the order
		{"0-2,1-3", []int{0, 1, 2, 3}, ""},                  // overlapping ranges, each CPU once
		{" 0 - 1 , 4 ", []int{0, 1, 4}, ""},                 // spaces around numbers
		{"5-5", []int{5}, ""},                               // a range of one
		{"007", []int{7}, ""},                               // leading zeros, as taskset takes them
		{"1023", []int{1023}, ""},                           // the highest CPU
		{"0x1", []int{0}, ""},                               // mask: bit n is CPU n
		{"0x0f", []int{0, 1, 2, 3}, ""},                     // taskset's default form
		{"0XA", []int{1, 3}, ""},                            // any case
		{"0x100", []int{8}, ""},                             // digits beyond the first
		{"0x8" + strings.Repeat("0", 255), []int{1023}, ""}, // the highest bit
		{"", nil, "empty"},
		{"1024", nil, "CPU 1024 out of range 0..1023"},
		{"99999999999999999999", nil, "out of range"},
		{"3-1", nil, "range 3-1 runs backwards"},
		{"0-", nil, "a CPU number is missing"},
		{"0,,1", nil, "a CPU number is missing"},
		{"-1", nil, "a CPU number is missing"},
		{"a", nil, `"a" is not a CPU number`},
		{"1.5", nil, `"1.5" is not a CPU number`},
		{"0x", nil, "needs hexadecimal digits"},
		{"0x0", nil, "selects no CPU"},
		{"0xg", nil, `"g" is not a hexadecimal digit`},
		{"0x1" + strings.Repeat("0", 256), nil, "selects CPU 1024, above 1023"},
	}
	for _, tt := range tests {
		got, err := parseCPUs(tt.in)
		switch {
		case tt.err == "" && (err != nil || !slices.Equal(got, tt.want)):
			t.Errorf("parseCPUs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("parseCPUs(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.err)
		}
	}
}

// parseTop parses executable: bin/app.exe followed by top, with Windows
// semantics or not.
func parseTop(t *testing.T, top string, windows bool) (*Config, error) {
	t.Helper()
	dir := recoveryDir(t)
	yaml := "executable: bin/app.exe\n" + top
	return parse(filepath.Join(dir, "svc.yaml"), []byte(yaml), Options{DefaultName: "svc", LookupEnv: mapEnv(nil)}, windows)
}

// TestPriorityAndAffinity: the values as written reach the Config; an
// integer affinity is read as written (3 is CPU 3, 0x0f a mask); both
// default to the wrapper's own (empty).
func TestPriorityAndAffinity(t *testing.T) {
	tests := []struct {
		top      string
		priority string
		affinity []int
	}{
		{"", "", []int{}},
		{"priority: idle\naffinity: \"0-1,3\"\n", PriorityIdle, []int{0, 1, 3}},
		{"priority: high\naffinity: 3\n", PriorityHigh, []int{3}},
		{"priority: below-normal\naffinity: 0x0f\n", PriorityBelowNormal, []int{0, 1, 2, 3}},
		{"priority: ~\naffinity:\n", "", []int{}},
	}
	for _, windows := range []bool{false, true} {
		for _, tt := range tests {
			c, err := parseTop(t, tt.top, windows)
			if err != nil {
				t.Fatalf("%q: %v", tt.top, err)
			}
			if c.Priority != tt.priority || c.Affinity == nil || !slices.Equal(c.Affinity, tt.affinity) {
				t.Errorf("%q: priority %q, affinity %#v; want %q, %v", tt.top, c.Priority, c.Affinity, tt.priority, tt.affinity)
			}
		}
	}
}
