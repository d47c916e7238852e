package config

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one mistake found in a configuration. Load and Parse return
// every problem at once, joined with errors.Join.
type Problem struct {
	// File is the absolute path of the file the problem is in (the YAML file,
	// or the env_file for problems inside it).
	File string
	// Line is the 1-based line of the problem; 0 when it concerns the whole
	// file or a default value.
	Line int
	// Key is the dotted key, e.g. "restart.delay", "arguments[2]" or
	// "env.APP_HOME"; "" for problems not tied to a key (syntax errors).
	Key string
	// Msg describes the problem.
	Msg string

	err error // underlying error for errors.Is/As, e.g. fs.ErrNotExist
}

// Error formats the problem as "file:line: key: message", leaving out
// ":line" when Line is 0 and "key: " when Key is empty.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Unwrap returns the underlying error, if any (e.g. a file system error).
func (p *Problem) Unwrap() error { return p.err }

// problems collects the problems of one Parse call.
type problems struct {
	file string // the YAML file; problems elsewhere name their own file
	list []*Problem
}

func (ps *problems) add(line int, key, format string, args ...any) {
	ps.list = append(ps.list, &Problem{File: ps.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) addErr(line int, key string, err error) {
	ps.list = append(ps.list, &Problem{File: ps.file, Line: line, Key: key, Msg: err.Error(), err: err})
}

// err returns nil or the problems joined: the YAML file's first, in line
// order (whole-file problems first), then other files' in the order found.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if (a.File == ps.file) != (b.File == ps.file) {
			return a.File == ps.file
		}
		if a.File != b.File {
			return false
		}
		return a.Line < b.Line
	})
	errs := make([]error, len(ps.list))
	for i, p := range ps.list {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// suggest returns a " (did you mean ...?)" hint for an unknown key, or "".
// siblings are the keys valid at the same level; all are every valid dotted
// key, used when the key belongs to another section (e.g. `timeout` under
// restart instead of stop).
func suggest(name string, siblings, all []string) string {
	norm := normKey(name)
	for _, s := range siblings {
		if normKey(s) == norm {
			return fmt.Sprintf(" (did you mean %q?)", s)
		}
	}
	best, bestDist := "", maxDistance(name)+1
	for _, s := range siblings {
		if d := distance(strings.ToLower(name), s); d < bestDist {
			best, bestDist = s, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	for _, s := range all {
		last := s[strings.LastIndex(s, ".")+1:]
		if normKey(last) == norm {
			return fmt.Sprintf(" (did you mean %q?)", s)
		}
	}
	return ""
}

// normKey folds case and drops separators so that maxDelay, max-delay and
// MAX_DELAY all match max_delay.
func normKey(s string) string {
	s = strings.ToLower(s)
	return strings.NewReplacer("_", "", "-", "").Replace(s)
}

// maxDistance is the largest edit distance still worth suggesting: short
// keys tolerate one typo, longer ones two.
func maxDistance(s string) int {
	if len(s) <= 4 {
		return 1
	}
	return 2
}

// distance is the optimal string alignment distance: insertions, deletions,
// substitutions and adjacent transpositions each cost 1, so "dealy" is one
// edit from "delay".
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // not a typo of any key; avoid quadratic work on junk
	}
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
