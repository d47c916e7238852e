package batch

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var opts = Options{StartModes: []string{"auto", "delayed-auto", "manual", "disabled"}}

// dir is where the test CSV lives; relative configs resolve against it.
var dir = absolute("/srv/deploy")

// absolute makes a slash path absolute on this system (Windows: on C:).
func absolute(p string) string {
	p = filepath.FromSlash(p)
	if runtime.GOOS == "windows" {
		return `C:` + p
	}
	return p
}

func csvPath() string { return filepath.Join(dir, "services.csv") }

// TestParse: one row per rule of the format: what is accepted, and each
// mistake as "file.csv:LINE: column: message", all of them at once.
func TestParse(t *testing.T) {
	f := csvPath()
	yaml := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	abs := filepath.Join(absolute("/opt/x"), "x.yaml")
	tests := []struct {
		name string
		csv  string
		rows []Row    // Name, Config, StartMode, Account, Line compared
		errs []string // every problem, in order
	}{
		{name: "minimal", csv: "name,config\napi,api/api.yaml\n",
			rows: []Row{{Line: 2, Name: "api", Config: yaml("api/api.yaml")}}},
		{name: "every column, any order and case, spaces trimmed", csv: " Account ,START_MODE,Config,Name\r\n" +
			`NT AUTHORITY\NetworkService, manual ,w.yaml,worker` + "\r\n" + ",,a.yaml,api\r\n",
			rows: []Row{{Line: 2, Name: "worker", Config: yaml("w.yaml"), StartMode: "manual", Account: `NT AUTHORITY\NetworkService`},
				{Line: 3, Name: "api", Config: yaml("a.yaml")}}},
		{name: "absolute config kept", csv: "name,config\nx," + abs + "\n",
			rows: []Row{{Line: 2, Name: "x", Config: abs}}},
		{name: "byte order mark, PowerShell 5 type line, comments, blank lines, quotes",
			csv: "\uFEFF#TYPE System.Management.Automation.PSCustomObject\n\"name\",\"config\"\n\n# api,old.yaml\n" +
				"\"api\",\"dir, with comma/a.yaml\"\n\"multi\",\"two\nlines.yaml\"\nlast,l.yaml\n",
			rows: []Row{{Line: 5, Name: "api", Config: yaml("dir, with comma/a.yaml")},
				{Line: 6, Name: "multi", Config: yaml("two\nlines.yaml")}, {Line: 8, Name: "last", Config: yaml("l.yaml")}}},
		{name: "empty file", csv: "", errs: []string{f + ": empty: the first row must name the columns (name,config,start_mode,account)"}},
		{name: "header only", csv: "name,config\n", errs: []string{f + ":1: no rows below the header: nothing to install"}},
		{name: "header mistakes", csv: "name,display_name,,name\nx,y,z,w\n", errs: []string{
			f + ":1: display_name: unknown column: the columns are name, config, start_mode, account",
			f + ":1: column 3 has no name in the header row",
			f + ":1: name: appears twice in the header row",
			f + ":1: config: missing from the header row (it is required)"}},
		{name: "row mistakes", csv: "name,config,start_mode\n,a.yaml,auto\napi,,sometimes\nAPI,b.yaml,\napi,c.yaml,manual\n", errs: []string{
			f + ":2: name: empty: every row names its service",
			f + ":3: config: empty: every row names its YAML",
			f + `:3: start_mode: "sometimes" is not one of auto, delayed-auto, manual, disabled`,
			f + `:4: name: "API" is also on line 3: a service can be installed once`,
			f + `:5: name: "api" is also on line 3: a service can be installed once`}},
		{name: "the line of a cell after a quoted newline", csv: "name,config,start_mode\n\"a\nb\",x.yaml,never\n",
			errs: []string{f + `:3: start_mode: "never" is not one of auto, delayed-auto, manual, disabled`}},
		{name: "wrong number of fields, reading goes on", csv: "name,config\na,a.yaml,extra\nb\nc,\n", errs: []string{
			f + ":2: wrong number of fields", f + ":3: wrong number of fields", f + ":4: config: empty: every row names its YAML"}},
		{name: "bad quote stops reading", csv: "name,config\na,\"x\"y\nb,\n", errs: []string{
			f + `:2: extraneous or missing " in quoted-field`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := Parse(f, []byte(tt.csv), opts)
			if got := problems(err); strings.Join(got, "\n") != strings.Join(tt.errs, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.errs, "\n"))
			}
			if len(rows) != len(tt.rows) {
				t.Fatalf("%d rows, want %d: %+v", len(rows), len(tt.rows), rows)
			}
			for i, r := range rows {
				w := tt.rows[i]
				if r.Line != w.Line || r.Name != w.Name || r.Config != w.Config || r.StartMode != w.StartMode || r.Account != w.Account || r.File != f {
					t.Errorf("row %d: %+v, want %+v", i, r, w)
				}
			}
		})
	}
}

// problems lists the messages of a joined error.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// TestRowProblemCell: a row's problem names the line of the cell, which a
// quoted newline in an earlier cell moves below the row's first line.
func TestRowProblemCell(t *testing.T) {
	rows, err := Parse(csvPath(), []byte("name,config\n\"a\nb\",x.yaml\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("cannot read")
	p := rows[0].Problem(ColConfig, cause)
	if p.Error() != csvPath()+":3: config: cannot read" || !errors.Is(p, cause) {
		t.Errorf("%v", p)
	}
	if p := rows[0].Problem("", cause); p.Error() != csvPath()+":2: cannot read" {
		t.Errorf("%v", p)
	}
}

// TestRead: the file is read once, regular and bounded.
func TestRead(t *testing.T) {
	d := t.TempDir()
	path := filepath.Join(d, "s.csv")
	if err := os.WriteFile(path, []byte("name,config\napi,api.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := Read(path, opts)
	if err != nil || len(rows) != 1 || rows[0].Config != filepath.Join(d, "api.yaml") {
		t.Fatalf("%+v, %v", rows, err)
	}
	if _, err := Read(d, opts); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder: %v", err)
	}
	if _, err := Read(filepath.Join(d, "none.csv"), opts); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	big := append([]byte("name,config\n"), bytes.Repeat([]byte("# padding\n"), MaxSize/10+1)...)
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path, opts); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a file above MaxSize: %v", err)
	}
}

// TestRun: every row is checked before any is applied; one bad row means
// none is applied and every problem is reported; otherwise each row is
// applied in order, a failure does not stop the next, and each has its
// summary line.
func TestRun(t *testing.T) {
	rows, err := Parse(csvPath(), []byte("name,config\na,a.yaml\nb,b.yaml\nc,c.yaml\nd,d.yaml\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		checks  map[string]error
		applies map[string]any // an Outcome or an error
		out     string
		errs    []string
	}{
		{name: "all good", applies: map[string]any{"a": Installed, "b": Updated, "c": Unchanged, "d": Installed},
			out: "a: installed\nb: updated\nc: unchanged\nd: installed\n"},
		{name: "a failure does not stop the rest",
			applies: map[string]any{"a": Installed, "b": errors.New("create service b: access denied\nsecond line"), "c": Unchanged, "d": Outcome("")},
			out:     "a: installed\nb: failed: create service b: access denied; second line\nc: unchanged\nd: failed: no outcome (\"\")\n"},
		{name: "a bad row stops everything",
			checks: map[string]error{"b": rows[1].Problem(ColConfig, errors.New("x.yaml:3: restart: unknown key")),
				"d": errors.Join(errors.New("first"), rows[3].Problem(ColAccount, errors.New("second")))},
			errs: []string{csvPath() + ":3: config: x.yaml:3: restart: unknown key", csvPath() + ":5: first", csvPath() + ":5: account: second"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var checked, applied []string
			check := func(r Row) (string, error) {
				checked = append(checked, r.Name)
				if len(applied) > 0 {
					t.Errorf("row %s checked after a row was applied", r.Name)
				}
				return "plan-" + r.Name, tt.checks[r.Name]
			}
			apply := func(r Row, plan string) (Outcome, error) {
				if plan != "plan-"+r.Name {
					t.Errorf("row %s applied with %q", r.Name, plan)
				}
				applied = append(applied, r.Name)
				switch v := tt.applies[r.Name].(type) {
				case Outcome:
					return v, nil
				case error:
					return Failed, v
				}
				return "", fmt.Errorf("no outcome for %s", r.Name)
			}
			var out bytes.Buffer
			results, err := Run(rows, check, apply, &out)
			if got := problems(err); strings.Join(got, "\n") != strings.Join(tt.errs, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.errs, "\n"))
			}
			if strings.Join(checked, ",") != "a,b,c,d" {
				t.Errorf("checked %v, want every row", checked)
			}
			if tt.errs != nil {
				if len(applied) > 0 || out.Len() > 0 || results != nil {
					t.Errorf("applied %v after a failed check; output %q", applied, out.String())
				}
				return
			}
			if out.String() != tt.out || strings.Join(applied, ",") != "a,b,c,d" || len(results) != 4 {
				t.Errorf("output:\n%s\nwant:\n%s\napplied %v", out.String(), tt.out, applied)
			}
			if n, want := CountFailed(results), strings.Count(tt.out, "failed"); n != want {
				t.Errorf("CountFailed = %d, want %d", n, want)
			}
		})
	}
}
