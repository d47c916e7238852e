package config

// The top-level keys priority and affinity: how the program's whole
// process tree is scheduled. The values are checked here for what they
// say; whether this host can apply them (the right to raise a priority,
// CPUs that exist) is checked where the wrapper runs (supervisor).

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Priorities accepted by the top-level priority key: the Windows priority
// classes of the same names; on Linux the nice values in
// docs/config.md#priority-and-affinity.
const (
	PriorityIdle        = "idle"
	PriorityBelowNormal = "below-normal"
	PriorityNormal      = "normal"
	PriorityAboveNormal = "above-normal"
	PriorityHigh        = "high"
)

// priorities are the values priority accepts, lowest first, in the order
// messages and the schema list them.
var priorities = []string{PriorityIdle, PriorityBelowNormal, PriorityNormal, PriorityAboveNormal, PriorityHigh}

// maxCPU is the highest CPU number affinity takes: Linux's CPU_SETSIZE
// less one, the size of the set sched_setaffinity is given. Windows takes
// CPUs 0 to 63 (one processor group); the wrapper says so where it runs.
const maxCPU = 1023

// cpuSet decodes affinity: a CPU list ("0-3,8") or a hexadecimal mask
// (0x0f), written as a string or a YAML integer. An integer is read as
// written (n.Value), so that 0x0f stays a mask and 3 means CPU 3, as
// taskset -c reads it.
func cpuSet(p *val[[]int]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) ([]int, bool) {
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!str" && n.ShortTag() != "!!int") {
			d.ps.add(n.Line, key, "expected a CPU list such as \"0-3,8\" or a mask such as 0x0f, got %s", describe(n))
			return nil, false
		}
		cpus, err := parseCPUs(n.Value)
		if err != nil {
			d.ps.add(n.Line, key, "%q: %v (write CPU numbers and ranges such as \"0-3,8\", or a mask such as 0x0f)", n.Value, err)
			return nil, false
		}
		return cpus, true
	})
}

// parseCPUs reads a CPU list ("0-3,8", as taskset -c and cpuset(7) write
// it; ranges may overlap) or a hexadecimal mask with the 0x prefix (bit n
// is CPU n, as taskset's default form), and returns the CPUs in ascending
// order, each once. It refuses an empty set and CPUs above maxCPU.
func parseCPUs(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	var cpus []int
	var err error
	if hex, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		cpus, err = parseCPUMask(hex)
	} else {
		cpus, err = parseCPUList(s)
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(cpus)
	return slices.Compact(cpus), nil
}

// parseCPUMask reads the hexadecimal digits of a mask, most significant
// first.
func parseCPUMask(hex string) ([]int, error) {
	if hex == "" {
		return nil, errors.New("a mask needs hexadecimal digits after 0x")
	}
	var cpus []int
	for i := len(hex) - 1; i >= 0; i-- {
		v, err := strconv.ParseUint(hex[i:i+1], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("%q is not a hexadecimal digit", hex[i:i+1])
		}
		for ; v != 0; v &= v - 1 {
			cpu := (len(hex)-1-i)*4 + bits.TrailingZeros64(v)
			if cpu > maxCPU {
				return nil, fmt.Errorf("the mask selects CPU %d, above %d", cpu, maxCPU)
			}
			cpus = append(cpus, cpu)
		}
	}
	if len(cpus) == 0 {
		return nil, errors.New("the mask selects no CPU")
	}
	return cpus, nil
}

// parseCPUList reads comma-separated CPU numbers and ranges (a-b, a ≤ b).
func parseCPUList(s string) ([]int, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	var cpus []int
	for item := range strings.SplitSeq(s, ",") {
		first, last, isRange := strings.Cut(item, "-")
		lo, err := cpuNumber(first)
		if err != nil {
			return nil, err
		}
		hi := lo
		if isRange {
			if hi, err = cpuNumber(last); err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, fmt.Errorf("range %d-%d runs backwards", lo, hi)
			}
		}
		for c := lo; c <= hi; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// cpuNumber reads one CPU number, spaces around it allowed.
func cpuNumber(s string) (int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("a CPU number is missing")
	}
	if strings.Trim(t, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a CPU number", t)
	}
	n, err := strconv.Atoi(t)
	if err != nil || n > maxCPU {
		return 0, fmt.Errorf("CPU %s out of range 0..%d", t, maxCPU)
	}
	return n, nil
}
