package scm

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// logCall is one message the wrapper logs, found in its source.
type logCall struct {
	pos    string
	msg    string
	prefix bool // msg is the literal start of a message built around a value
}

// forwarders are log calls whose message is not a constant because they
// pass on records logged elsewhere, where their messages are scanned.
var forwarders = map[string]string{
	"logrotate/pump.go: l.LogAttrs": "report.flush: replays the messages of rep.add calls",
}

// scannedDirs are the packages whose log records can reach the Event Log:
// everything the Windows build of the wrapper runs but the test helpers.
func scannedDirs(t *testing.T, root string) []string {
	t.Helper()
	dirs := []string{"supervisor", "logrotate", "wrapper"}
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch filepath.ToSlash(rel) {
		case "internal/fakechild", "internal/archtest", "internal/registry/consultest":
			return filepath.SkipDir
		}
		dirs = append(dirs, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// loggedMessages parses the Windows build's non-test files under root and
// returns the message of every Info, Warn and Error record they log:
// logger.Info("msg", ...), LogAttrs(ctx, level, "msg", ...) and the
// report.add(slog.LevelWarn, "msg", ...) form of logrotate. A message
// that is neither a constant nor a constant prefix is an error, unless
// the call forwards records (forwarders).
func loggedMessages(t *testing.T, root string) []logCall {
	t.Helper()
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH = "windows", "amd64"
	fset := token.NewFileSet()
	var calls []logCall
	for _, dir := range scannedDirs(t, root) {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			if ok, err := ctx.MatchFile(filepath.Join(root, dir), name); err != nil || !ok {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.ToSlash(filepath.Join(dir, name))
			ast.Inspect(f, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					calls = append(calls, logCallOf(t, fset, file, c)...)
				}
				return true
			})
		}
	}
	return calls
}

// logCallOf returns the message c logs, if it logs one at Info or above.
func logCallOf(t *testing.T, fset *token.FileSet, file string, c *ast.CallExpr) []logCall {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	recv := types.ExprString(sel.X)
	lower := strings.ToLower(recv)
	isLogger := strings.HasSuffix(lower, "log") || strings.HasSuffix(lower, "logger") || lower == "early"
	var msg ast.Expr
	switch {
	case isLogger && (sel.Sel.Name == "Info" || sel.Sel.Name == "Warn" || sel.Sel.Name == "Error") && len(c.Args) > 0:
		msg = c.Args[0]
	case isLogger && (sel.Sel.Name == "Log" || sel.Sel.Name == "LogAttrs") && len(c.Args) > 2:
		if level(c.Args[1]) == "LevelDebug" {
			return nil
		}
		msg = c.Args[2]
	case len(c.Args) > 1 && strings.HasPrefix(level(c.Args[0]), "Level"):
		if level(c.Args[0]) == "LevelDebug" {
			return nil
		}
		msg = c.Args[1]
	default:
		return nil
	}
	pos := fset.Position(c.Pos())
	where := file + ":" + strconv.Itoa(pos.Line)
	text, prefix, ok := constantText(msg)
	if !ok {
		if _, fwd := forwarders[file+": "+recv+"."+sel.Sel.Name]; !fwd {
			t.Errorf("%s: %s.%s logs a message that is not a constant (%s): write the message as a literal and the values as attributes",
				where, recv, sel.Sel.Name, types.ExprString(msg))
		}
		return nil
	}
	return []logCall{{pos: where, msg: text, prefix: prefix}}
}

// level returns "LevelX" for an expression slog.LevelX, else "".
func level(e ast.Expr) string {
	if s, ok := e.(*ast.SelectorExpr); ok && types.ExprString(s.X) == "slog" {
		return s.Sel.Name
	}
	return ""
}

// constantText returns a string literal's text, or the literal start of a
// concatenation ("a link was found in place of a "+what+...).
func constantText(e ast.Expr) (text string, prefix, ok bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind == token.STRING {
			s, err := strconv.Unquote(v.Value)
			return s, false, err == nil
		}
	case *ast.BinaryExpr:
		if v.Op == token.ADD {
			s, _, ok := constantText(v.X)
			return s, true, ok
		}
	}
	return "", false, false
}

// TestEveryLoggedEventHasAnID scans the wrapper's source for the messages
// it logs and requires an event ID for each, so that a new message cannot
// reach the Event Log under the generic IDs 1-3 unnoticed; and it requires
// every event in the table to be logged somewhere, so the table holds no
// stale entry.
func TestEveryLoggedEventHasAnID(t *testing.T) {
	calls := loggedMessages(t, filepath.Join("..", ".."))
	if len(calls) < 50 {
		t.Fatalf("found %d log calls; the scan is broken", len(calls))
	}
	used := map[string]bool{}
	for _, c := range calls {
		e, ok := lookupEvent(c.msg, "")
		switch {
		case !ok:
			t.Errorf("%s: %q has no event ID: add it to eventIDs and docs/windows.md", c.pos, c.msg)
		case c.prefix && (!e.Prefix || e.Msg != c.msg):
			t.Errorf("%s: the message built from %q needs a Prefix entry of its own", c.pos, c.msg)
		}
		used[c.msg] = true
	}
	for _, e := range eventIDs {
		if !used[e.Msg] {
			t.Errorf("event %d %q is not logged anywhere: remove it (its ID is never reused)", e.ID, e.Msg)
		}
	}
}

// docEventRow is one row of docs/windows.md's event table:
// | 300 | `child started` | always | ... | or `stopped` by=`kill`.
var docEventRow = regexp.MustCompile("^\\| (\\d+) \\| `([^`]+)`(?: by=`([^`]+)`)?(…)? \\| (always|warnings only) \\|")

// TestEventIDsDocumented pins the IDs: docs/windows.md's table lists
// exactly the events of eventIDs, with the same IDs and whether Info
// records are written.
func TestEventIDsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "windows.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[uint32]Event{}
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		m := docEventRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		id, _ := strconv.Atoi(m[1])
		documented[uint32(id)] = Event{ID: uint32(id), Msg: m[2], By: m[3], Prefix: m[4] != "", Quiet: m[5] == "warnings only"}
	}
	for _, e := range eventIDs {
		if d, ok := documented[e.ID]; !ok || d != e {
			t.Errorf("docs/windows.md: event %d is %+v, want %+v", e.ID, d, e)
		}
		delete(documented, e.ID)
	}
	for id, d := range documented {
		t.Errorf("docs/windows.md documents event %d (%q), which the wrapper does not have", id, d.Msg)
	}
}
