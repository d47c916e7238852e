package config

import "sync"

// val is one decoded YAML value with its position. set reports a valid
// value; line is non-zero whenever the key was present (even when null or
// invalid); bad marks a value already reported as a problem, so later checks
// do not pile a second complaint onto the same mistake.
type val[T any] struct {
	v    T
	line int
	set  bool
	bad  bool
}

// field is one known key and how to decode its value.
type field struct {
	name   string
	decode decodeFunc // leaf decoder; nil for a section
	sub    []field    // the keys of a section
	items  []field    // the keys of a list's mapping items (wait_for), for knownKeys
	line   *int       // when not nil, receives the line of the key
	// present, when not nil, is set when a section's value is a mapping
	// rather than null (registry.consul: {} switches registration on).
	present *bool
}

// knownKeys returns every valid dotted key (e.g. "restart.delay",
// "hooks.pre_start.command") in field table order; the keys of list items are
// written with [] (wait_for[].tcp).
func knownKeys() []string {
	// A sync.Once rather than a sync.OnceValue variable: the variable's
	// initializer would refer to itself through fields and the decoder
	// (an initialization cycle).
	keysOnce.Do(func() {
		var walk func(prefix string, fs []field)
		walk = func(prefix string, fs []field) {
			for _, f := range fs {
				key := joinKey(prefix, f.name)
				allKeys = append(allKeys, key)
				walk(key, f.sub)
				walk(key+"[]", f.items)
			}
		}
		walk("", fields(&raw{}))
	})
	return allKeys
}

var (
	keysOnce sync.Once
	allKeys  []string // see knownKeys
)
