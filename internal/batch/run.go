package batch

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Outcome is what applying a row did to its service.
type Outcome string

// The outcomes, as the summary lines say them.
const (
	Installed Outcome = "installed" // the service did not exist and was created
	Updated   Outcome = "updated"   // it existed and something was changed
	Unchanged Outcome = "unchanged" // it already was what the row says: nothing was changed
	Failed    Outcome = "failed"    // applying the row failed; what it had changed was put back
)

// Result is one row's outcome.
type Result struct {
	Name    string
	Outcome Outcome
	Reason  string // why it failed, on one line
}

// String is the row's summary line: "name: outcome" or
// "name: failed: reason".
func (r Result) String() string {
	if r.Outcome == Failed {
		return r.Name + ": failed: " + r.Reason
	}
	return r.Name + ": " + string(r.Outcome)
}

// Run checks every row with check, which must change nothing. When a
// check fails, Run returns every check's problems joined (each a *Problem
// naming the row's line) and applies no row. Otherwise it applies the rows
// in order with apply, each with what its check returned, and writes each
// row's summary line to w as soon as it is known; a failed row does not
// stop the rows after it. apply must leave nothing of a row it fails half
// done. Run returns the results in row order.
func Run[T any](rows []Row, check func(Row) (T, error), apply func(Row, T) (Outcome, error), w io.Writer) ([]Result, error) {
	plans := make([]T, len(rows))
	var problems []error
	for i, r := range rows {
		p, err := check(r)
		if err != nil {
			problems = append(problems, rowProblems(r, err)...)
			continue
		}
		plans[i] = p
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	results := make([]Result, len(rows))
	for i, r := range rows {
		res := Result{Name: r.Name}
		out, err := apply(r, plans[i])
		switch {
		case err != nil:
			res.Outcome, res.Reason = Failed, oneLine(err.Error())
		case out == Installed || out == Updated || out == Unchanged:
			res.Outcome = out
		default:
			res.Outcome, res.Reason = Failed, fmt.Sprintf("no outcome (%q)", out)
		}
		results[i] = res
		fmt.Fprintln(w, res)
	}
	return results, nil
}

// CountFailed returns how many results failed.
func CountFailed(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Outcome == Failed {
			n++
		}
	}
	return n
}

// rowProblems flattens a check's error into problems of row r: a *Problem
// stays as it is, anything else becomes one at the row's line.
func rowProblems(r Row, err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, rowProblems(r, e)...)
		}
		return out
	}
	if _, ok := err.(*Problem); ok {
		return []error{err}
	}
	return []error{r.Problem("", err)}
}

// oneLine joins the lines of a multi-line message with "; ".
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "; ")
}
