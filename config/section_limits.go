package config

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// minLimitMemory is the smallest limits.memory: below it no program
// starts, and a value that small is a unit mistake (512 meaning 512MB).
const minLimitMemory = 1 << 20

// Limits are limits on the resources of the program's whole process tree
// (on Linux its cgroup, else its process group; on Windows its Job
// Object), sampled while it runs. A tree over a limit for For is
// restarted gracefully, and the restart counts as a failure. Off when
// neither Memory nor CPU is set (see Enabled).
type Limits struct {
	// Memory is the most memory the tree may use, in bytes; at least 1MB.
	// 0 means no limit. Default: 0.
	Memory int64
	// CPU is the most CPU the tree may use, in percent of one CPU: 100 is
	// one core fully busy, 250 two and a half cores. More than 0; 0 means
	// no limit. Default: 0.
	CPU float64
	// For is how long the tree may stay over a limit before the restart;
	// 0 restarts at the first sample over a limit. Default: 0.
	For time.Duration
}

// Enabled reports whether any limit is set.
func (l Limits) Enabled() bool { return l.Memory > 0 || l.CPU > 0 }

// rawLimits is the limits section as written.
type rawLimits struct {
	memory val[int64]
	cpu    val[float64]
	forD   val[time.Duration]
}

// limitsField is the limits section's entry in the field table.
func limitsField(r *rawLimits) field {
	return field{name: "limits", sub: []field{
		{name: "memory", decode: memoryLimit(&r.memory)},
		{name: "cpu", decode: cpuLimit(&r.cpu)},
		{name: "for", decode: duration(&r.forD)},
	}}
}

// memoryLimit decodes limits.memory: a size (see parseSize) of at least
// 1MB.
func memoryLimit(p *val[int64]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (int64, bool) {
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
			d.ps.add(n.Line, key, "expected a size such as 512MB or 2GB, got %s", describe(n))
			return 0, false
		}
		v, err := parseSize(n.Value)
		if err == nil && v < minLimitMemory {
			err = fmt.Errorf("size %s is too small (minimum 1MB)", n.Value)
		}
		if err != nil {
			d.ps.add(n.Line, key, "%v", err)
			return 0, false
		}
		return v, true
	})
}

// percentRule is a percentage: a number, optionally with decimals, and %.
var percentRule = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?) *%$`)

// cpuLimit decodes limits.cpu: a percentage of one CPU, more than 0%.
func cpuLimit(p *val[float64]) decodeFunc {
	return leaf(p, func(d *decoder, key string, n *yaml.Node) (float64, bool) {
		m := percentRule.FindStringSubmatch(n.Value)
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || m == nil {
			got := quoteScalar(n)
			if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
				got = fmt.Sprintf("%s (write %s%%)", n.Value, n.Value)
			}
			d.ps.add(n.Line, key, "expected a percentage of one CPU such as 90%% (100%% is one full core, 200%% two), got %s", got)
			return 0, false
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil || v <= 0 {
			d.ps.add(n.Line, key, "must be more than 0%%, got %s", n.Value)
			return 0, false
		}
		return v, true
	})
}

// limits resolves the limits section: for needs a limit to apply to.
func (rs *resolver) limits(r *rawLimits) Limits {
	out := Limits{Memory: or(r.memory, 0), CPU: or(r.cpu, 0), For: or(r.forD, 0)}
	if r.forD.set && !written(r.memory) && !written(r.cpu) {
		rs.ps.add(r.forD.line, "limits.for", "has no limit to apply to: set limits.memory or limits.cpu")
	}
	return out
}
