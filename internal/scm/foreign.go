package scm

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// WrapperPackage is the main package of the wrapper's executable. A
// program whose Go build information names it is a wrapper, whatever its
// file name, version or location.
const WrapperPackage = "github.com/wrapper-dev/wrapper/cmd/wrapper"

// Service types of QUERY_SERVICE_CONFIG.dwServiceType (winsvc.h), repeated
// here so that the decision below builds and is tested on every platform.
const (
	serviceWin32OwnProcess    = 0x10
	serviceInteractiveProcess = 0x100
)

// ForeignError is the answer of Install and Uninstall for an existing
// service that does not run a wrapper: they change or delete it only when
// forced. Program is what the service runs, as far as it can be told.
type ForeignError struct {
	Name, Program string
	Why           string // "it runs C:\...\spoolsv.exe, which is not a wrapper", ...
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("service %s is not a wrapper service: %s", e.Name, e.Why)
}

// installed is what the SCM reports of an existing service.
type installed struct {
	serviceType uint32
	binaryPath  string // as stored: it may hold %SystemRoot% and the like
}

// verdict is runsWrapper's answer.
type verdict struct {
	wrapper bool
	program string // the program the SCM would start ("" for a driver)
	args    string // the rest of the command line, after the program
	why     string // when not a wrapper: what the service is instead
}

// runsWrapper decides whether an installed service runs a wrapper: it
// must be a service of its own process (not a driver, not one of those
// svchost.exe hosts), and the program its binary path starts, found as
// CreateProcess finds it, must be a wrapper by isWrapper. expand replaces
// %VAR% references (the SCM stores binary paths as REG_EXPAND_SZ).
// isWrapper reports fs.ErrNotExist for a program that does not exist.
func runsWrapper(in installed, expand func(string) string, isWrapper func(path string) (bool, error)) verdict {
	if in.serviceType&^serviceInteractiveProcess != serviceWin32OwnProcess {
		return verdict{why: fmt.Sprintf("it is not a program of its own (service type %#x: a driver or a shared svchost.exe service)", in.serviceType)}
	}
	splits := programSplits(expand(in.binaryPath))
	for _, c := range splits {
		ok, err := isWrapper(c.program)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return verdict{program: c.program, why: fmt.Sprintf("its program %s cannot be examined: %v", c.program, err)}
		case !ok:
			return verdict{program: c.program, why: fmt.Sprintf("it runs %s, which is not a wrapper", c.program)}
		}
		return verdict{wrapper: true, program: c.program, args: c.args}
	}
	if len(splits) == 0 {
		return verdict{why: "its binary path is empty"}
	}
	return verdict{program: splits[0].program, why: fmt.Sprintf("its program %s does not exist", splits[0].program)}
}

// programCandidates returns the files CreateProcess tries, in order, for
// a command line: the quoted first word; or, unquoted, every prefix that
// ends before a space and then the whole line ("C:\Program Files\a b.exe
// x" tries C:\Program.exe first), each with .exe added when its file name
// has no extension.
func programCandidates(cmdline string) []string {
	var out []string
	for _, s := range programSplits(cmdline) {
		out = append(out, s.program)
	}
	return out
}

// split is one way CreateProcess may read a command line: the program,
// and the arguments after it.
type split struct{ program, args string }

// programSplits is programCandidates with the rest of the line after
// each candidate.
func programSplits(cmdline string) []split {
	cmdline = strings.TrimLeft(cmdline, " \t")
	if rest, ok := strings.CutPrefix(cmdline, `"`); ok {
		prog, args, _ := strings.Cut(rest, `"`)
		return []split{{withExe(prog), strings.TrimLeft(args, " \t")}}
	}
	var out []split
	for i, r := range cmdline {
		if r == ' ' || r == '\t' {
			out = append(out, split{withExe(cmdline[:i]), strings.TrimLeft(cmdline[i:], " \t")})
		}
	}
	if cmdline != "" {
		out = append(out, split{withExe(cmdline), ""})
	}
	return out
}

// withExe adds .exe to a program whose file name has no extension, as
// CreateProcess does.
func withExe(p string) string {
	base := p[strings.LastIndexAny(p, `\/`)+1:]
	if p == "" || strings.Contains(base, ".") {
		return p
	}
	return p + ".exe"
}

// isWrapperProgram reports whether the file at path is a wrapper: the
// running executable self itself, or a Go program whose main package is
// mainPackage (WrapperPackage), which every build and renamed copy of the
// wrapper is. A file that is not a Go program is not a wrapper. The error
// wraps fs.ErrNotExist for a missing file.
func isWrapperProgram(path, self, mainPackage string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	if self != "" {
		if sf, err := os.Stat(self); err == nil && os.SameFile(fi, sf) {
			return true, nil
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	bi, err := buildinfo.Read(f)
	if err != nil {
		return false, nil // not a Go program, or one without build information
	}
	return bi.Path == mainPackage, nil
}
