package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// syntaxLine splits a yaml.v3 syntax error into its line and message.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3's parser, as opposed to its
// scanner. yaml.v3 prints a parser error's line 0-based (the mark of the
// enclosing [, { or block, counted from 0) and a scanner error's 1-based,
// and it leaves the line out when the parser's mark is on the first line.
// The value is a hint that says what the line is, or "".
var parserProblems = map[string]string{
	"did not find expected <stream-start>":   "",
	"did not find expected <document start>": "",
	"found undefined tag handle":             "",
	"did not find expected node content":     "",
	"did not find expected '-' indicator":    " (in the list that starts on this line)",
	"did not find expected key":              " (in the mapping that starts on this line)",
	"did not find expected ',' or ']'":       " (in the list opened by [ on this line)",
	"did not find expected ',' or '}'":       " (in the mapping opened by { on this line)",
	"found duplicate %YAML directive":        "",
	"found incompatible YAML document":       "",
	"found duplicate %TAG directive":         "",
}

// tabProblem replaces the scanner's messages about a tab in indentation,
// the first of which does not say that a tab is the cause. The value of
// tabMessages says whether the tab may be on a later line than the one
// reported (see tabLine).
const tabProblem = "tabs are not allowed for indentation; use spaces"

var tabMessages = map[string]bool{
	"found character that cannot start any token":                  false,
	"found a tab character that violates indentation":              true,
	"found a tab character where an indentation space is expected": true,
}

// syntaxProblem turns a yaml.v3 parse error ("yaml: line 3: ...") into a
// Problem on the line it concerns: where the scanner stopped or, for a
// parser error, where the enclosing list or mapping starts.
func syntaxProblem(ps *problems, data []byte, err error) {
	// Parsing again with one empty line in front moves every mark off the
	// first line, so that yaml.v3 always prints the parser's mark, and
	// every printed line is then one more than the 1-based line in data
	// for scanner errors and exactly it for parser errors.
	shifted := true
	if e := firstError(lineAhead(data)); e != nil {
		err = e
	} else {
		shifted = false // not expected; keep yaml.v3's own error
	}
	line, msg := 0, strings.TrimPrefix(err.Error(), "yaml: ")
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	hint, parser := parserProblems[msg]
	switch {
	case parser && !shifted && line > 0:
		line++
	case !parser && shifted && line > 0:
		line--
	}
	if further, ok := tabMessages[msg]; ok {
		if tab := tabLine(data, line, further); tab > 0 {
			line, msg = tab, tabProblem
		}
	}
	ps.add(line, "", "invalid YAML: %s%s", msg, hint)
}

// firstError returns the first error yaml.v3 finds in the documents of
// data, or nil.
func firstError(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		switch err := dec.Decode(&n); {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
	}
}

// lineAhead returns data with an empty line before its first line, after
// the byte order mark if any and in the encoding that mark announces.
func lineAhead(data []byte) []byte {
	bom, nl := 0, []byte("\n")
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		bom = 3
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		bom, nl = 2, []byte("\n\x00")
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		bom, nl = 2, []byte("\x00\n")
	}
	out := make([]byte, 0, len(data)+len(nl))
	out = append(out, data[:bom]...)
	out = append(out, nl...)
	return append(out, data[bom:]...)
}

// tabLine returns the 1-based line, from line on, whose indentation holds
// the tab that a scanner error at line is about, or 0. The scanner reports
// a tab that cannot start a token on the tab's line, but one that
// "violates indentation" on the line where the value it continues began,
// so for such a message (further) the search goes on down.
func tabLine(data []byte, line int, further bool) int {
	if line < 1 {
		return 0
	}
	lines := strings.Split(string(data), "\n")
	for i := line - 1; i < len(lines); i++ {
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
		if strings.Contains(indent, "\t") {
			return i + 1
		}
		if !further {
			break
		}
	}
	return 0
}
