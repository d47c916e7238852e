package supervisor

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestCPUList: CPU lists are written as Linux writes Cpus_allowed_list.
func TestCPUList(t *testing.T) {
	for _, tt := range []struct {
		cpus []int
		want string
	}{
		{nil, ""},
		{[]int{0}, "0"},
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{0, 1, 2, 3, 8}, "0-3,8"},
		{[]int{1, 3, 5}, "1,3,5"},
		{[]int{0, 1, 4, 5, 6, 9}, "0-1,4-6,9"},
	} {
		if got := cpuList(tt.cpus); got != tt.want {
			t.Errorf("cpuList(%v) = %q, want %q", tt.cpus, got, tt.want)
		}
	}
}

// TestUsableCPUs: the decision for an affinity on a host, one row per
// rule: the CPUs the wrapper may use are kept, the others left out with a
// warning, and none left is an error wrapping ErrCannotApply.
func TestUsableCPUs(t *testing.T) {
	for _, tt := range []struct {
		want, have []int
		use        []int
		warning    string
		err        string
	}{
		{[]int{0, 1}, []int{0, 1, 2, 3}, []int{0, 1}, "", ""},
		{[]int{2, 8}, []int{0, 1, 2, 3}, []int{2},
			"affinity: CPUs 8 are not available to the wrapper here and are left out (it may use 0-3)", ""},
		{[]int{8, 9}, []int{0, 1}, nil, "",
			"cannot be applied here: affinity 8-9: none of these CPUs is available to the wrapper here (it may use 0-1)"},
		{[]int{1}, []int{0, 2}, nil, "", "affinity 1: none of these CPUs"},
	} {
		use, warning, err := usableCPUs(tt.want, tt.have)
		if !slices.Equal(use, tt.use) || warning != tt.warning {
			t.Errorf("usableCPUs(%v, %v) = %v, %q; want %v, %q", tt.want, tt.have, use, warning, tt.use, tt.warning)
		}
		if tt.err == "" && err != nil || tt.err != "" && (!errors.Is(err, ErrCannotApply) || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("usableCPUs(%v, %v) error %v, want %q", tt.want, tt.have, err, tt.err)
		}
	}
}

// TestNormalizeSched: priorities are checked, the affinity sorted with
// each CPU once, and the caller's slices copied.
func TestNormalizeSched(t *testing.T) {
	groups := []uint32{7}
	o, err := normalize(Options{Path: "p", Priority: PriorityIdle, Affinity: []int{3, 1, 3},
		Account: &Account{UID: 1, Groups: groups}})
	if err != nil {
		t.Fatal(err)
	}
	groups[0] = 8
	if !slices.Equal(o.Affinity, []int{1, 3}) || o.Account.Groups[0] != 7 {
		t.Errorf("affinity %v, groups %v; want [1 3] and a copy [7]", o.Affinity, o.Account.Groups)
	}
	_, err = normalize(Options{Path: "p", Priority: "realtime", Affinity: []int{-1}})
	for _, want := range []string{`priority "realtime": want one of`, "affinity: CPU -1 is negative"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("normalize = %v, want %q", err, want)
		}
	}
}

// TestSameSched: a change of priority, affinity or account is a change of
// how the child starts (Update restarts it).
func TestSameSched(t *testing.T) {
	base := Options{Priority: PriorityIdle, Affinity: []int{0}, Account: &Account{UID: 1, Env: []string{"HOME=/a"}}}
	if !sameSched(base, base) {
		t.Error("the same options differ")
	}
	for _, edit := range []func(*Options){
		func(o *Options) { o.Priority = PriorityHigh },
		func(o *Options) { o.Affinity = []int{1} },
		func(o *Options) { o.Account = nil },
		func(o *Options) { o.Account = &Account{UID: 2, Env: []string{"HOME=/a"}} },
		func(o *Options) { o.Account = &Account{UID: 1, Env: []string{"HOME=/b"}} },
		func(o *Options) { o.Account = &Account{UID: 1, Groups: []uint32{3}, Env: []string{"HOME=/a"}} },
	} {
		o := base
		edit(&o)
		if sameSched(base, o) || sameSched(o, base) {
			t.Errorf("%+v and %+v are taken for the same", base, o)
		}
	}
}
