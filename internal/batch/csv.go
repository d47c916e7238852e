// Package batch reads the CSV of `wrapper install --csv` and runs its
// rows: every row is checked before any is applied, then each is applied
// in order, with one summary line per row (docs/fleet.md, "Batch deploy").
// It is pure: what a row means (a YAML to load, a service to create) is
// the caller's, passed in as functions.
package batch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The columns of the CSV. Name and Config are required; the others
// override the YAML's value for this machine when the cell is not empty.
const (
	ColName      = "name"       // the service name; must be the name the YAML gives the service
	ColConfig    = "config"     // the YAML, relative to the CSV's folder (or absolute)
	ColStartMode = "start_mode" // overrides service.start_mode
	ColAccount   = "account"    // overrides service.account (Windows) or service.user (Linux)
)

// Columns are the columns a CSV may have, in the order messages list them.
var Columns = []string{ColName, ColConfig, ColStartMode, ColAccount}

// MaxSize bounds the CSV read: some ten thousand rows.
const MaxSize = 1 << 20

// Problem is one mistake in the CSV or in what a row names:
// "file.csv:LINE: column: message".
type Problem struct {
	File   string
	Line   int    // 0 when the mistake is the file's as a whole
	Column string // "" when it is the row's as a whole
	Msg    string
	Err    error // the cause, when there is one (errors.Is and As see it)
}

// Error is "file:line: column: message", without the parts that are
// unknown.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Column != "" {
		b.WriteString(": " + p.Column)
	}
	return b.String() + ": " + p.Msg
}

// Unwrap returns the cause.
func (p *Problem) Unwrap() error { return p.Err }

// Row is one service of the CSV, its cells trimmed of spaces.
type Row struct {
	File string // the CSV, absolute
	Line int    // the line the row starts on
	// Name is the service name.
	Name string
	// Config is the YAML's path, absolute: a relative cell is taken
	// relative to the CSV's folder, so the CSV and its YAMLs can be copied
	// together to another machine (examples/deploy.ps1 does).
	Config string
	// StartMode and Account are the overrides; "" keeps the YAML's value.
	StartMode string
	Account   string
	lines     map[string]int // the line of each column's cell
}

// Problem returns a problem with the cell of column (or the row, for "").
func (r Row) Problem(column string, err error) *Problem {
	line := r.Line
	if l, ok := r.lines[column]; ok {
		line = l
	}
	return &Problem{File: r.File, Line: line, Column: column, Msg: err.Error(), Err: err}
}

// Options say what the cells may hold.
type Options struct {
	// StartModes are the values start_mode accepts (the YAML's).
	StartModes []string
}

// Read reads and parses the CSV at path; see Parse.
func Read(path string, opts Options) ([]Row, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Problem{File: path, Msg: err.Error(), Err: err}
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, &Problem{File: abs, Msg: "cannot read: " + err.Error(), Err: err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, &Problem{File: abs, Msg: "cannot read: not a regular file", Err: err}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, &Problem{File: abs, Msg: "cannot read: " + err.Error(), Err: err}
	}
	if len(data) > MaxSize {
		return nil, &Problem{File: abs, Msg: fmt.Sprintf("larger than %d bytes", MaxSize)}
	}
	return Parse(abs, data, opts)
}

// Parse parses a CSV (RFC 4180, as encoding/csv reads it; a UTF-8 byte
// order mark and lines starting with # are ignored) whose first row names
// the columns, in any order and case. It checks what needs no other file:
// known columns, each once, name and config present; every row's name and
// config set, names unique (ignoring case, as Windows does), start_mode
// one of opts.StartModes. Every problem is reported at once, joined.
func Parse(path string, data []byte, opts Options) ([]Row, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // Excel and PowerShell 5 write one
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#' // a row can be commented out; PowerShell 5's #TYPE line is skipped
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Problem{File: path, Msg: "empty: the first row must name the columns (" + strings.Join(Columns, ",") + ")"}
	}
	if err != nil {
		return nil, parseProblem(path, err)
	}
	headerLine, _ := r.FieldPos(0)
	cols, problems := columns(path, headerLine, header)
	if problems != nil {
		return nil, errors.Join(problems...)
	}
	var rows []Row
	seen := map[string]int{} // lower-case name → line
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, parseProblem(path, err))
			if errors.Is(err, csv.ErrFieldCount) {
				continue // the next row can still be read
			}
			break
		}
		row := Row{File: path, lines: map[string]int{}}
		row.Line, _ = r.FieldPos(0)
		for i, col := range cols {
			row.lines[col], _ = r.FieldPos(i)
		}
		problems = append(problems, row.fill(cols, rec, opts, seen)...)
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(problems) == 0 {
		problems = append(problems, &Problem{File: path, Line: headerLine, Msg: "no rows below the header: nothing to install"})
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return rows, nil
}

// columns checks the header row and returns the column of each field.
func columns(path string, line int, header []string) ([]string, []error) {
	var cols []string
	var problems []error
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
			problems = append(problems, &Problem{File: path, Line: line, Msg: fmt.Sprintf("column %d has no name in the header row", i+1)})
		case !slices.Contains(Columns, h):
			problems = append(problems, &Problem{File: path, Line: line, Column: h,
				Msg: "unknown column: the columns are " + strings.Join(Columns, ", ")})
		case slices.Contains(cols, h):
			problems = append(problems, &Problem{File: path, Line: line, Column: h, Msg: "appears twice in the header row"})
		}
		cols = append(cols, h)
	}
	for _, need := range []string{ColName, ColConfig} {
		if !slices.Contains(cols, need) {
			problems = append(problems, &Problem{File: path, Line: line, Column: need, Msg: "missing from the header row (it is required)"})
		}
	}
	return cols, problems
}

// fill sets the row's fields from rec and checks them; seen holds the
// names of the rows before.
func (row *Row) fill(cols, rec []string, opts Options, seen map[string]int) []error {
	var problems []error
	bad := func(col, format string, args ...any) {
		problems = append(problems, row.Problem(col, fmt.Errorf(format, args...)))
	}
	for i, col := range cols {
		v := strings.TrimSpace(rec[i])
		switch col {
		case ColName:
			row.Name = v
		case ColConfig:
			row.Config = v
		case ColStartMode:
			row.StartMode = v
		case ColAccount:
			row.Account = v
		}
	}
	switch key := strings.ToLower(row.Name); {
	case row.Name == "":
		bad(ColName, "empty: every row names its service")
	case seen[key] != 0:
		bad(ColName, "%q is also on line %d: a service can be installed once", row.Name, seen[key])
	default:
		seen[key] = row.Line
	}
	if row.Config == "" {
		bad(ColConfig, "empty: every row names its YAML")
	} else if !filepath.IsAbs(row.Config) {
		row.Config = filepath.Join(filepath.Dir(row.File), row.Config)
	}
	if row.StartMode != "" && !slices.Contains(opts.StartModes, row.StartMode) {
		bad(ColStartMode, "%q is not one of %s", row.StartMode, strings.Join(opts.StartModes, ", "))
	}
	return problems
}

// parseProblem turns an encoding/csv error into a Problem at its line.
func parseProblem(path string, err error) *Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Problem{File: path, Line: pe.Line, Msg: pe.Err.Error(), Err: err}
	}
	return &Problem{File: path, Msg: err.Error(), Err: err}
}
