package migrate

import "strings"

// NSSM keeps a program's arguments as one command-line string
// (AppParameters), and WinSW's <arguments> is one too; the program's C
// runtime splits it into argv. The wrapper's YAML holds argv itself, so the
// importers split the string the way the program would have. These are
// the rules of CommandLineToArgvW (windows.DecomposeCommandLine), written
// out so that they run, and are tested, on every platform; a Windows test
// compares them with the real call.

// SplitArgs splits the arguments part of a Windows command line (what
// follows the program name) into argv:
//
//   - spaces and tabs outside double quotes separate arguments;
//   - a double quote starts or ends a quoted part, which may hold spaces,
//     and "" inside a quoted part is one literal quote that also ends it;
//   - 2n backslashes before a quote are n backslashes, and the quote
//     counts as above; 2n+1 backslashes before a quote are n backslashes
//     and a literal quote; backslashes before anything else are literal.
func SplitArgs(s string) []string {
	var args []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return args
		}
		var arg string
		arg, s = nextArg(s)
		args = append(args, arg)
	}
}

// nextArg reads one argument from the start of s (which is not blank) and
// returns it with the rest of s.
func nextArg(s string) (arg, rest string) {
	var b strings.Builder
	quoted, slashes := false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			slashes++
			continue
		}
		if c == '"' {
			b.WriteString(strings.Repeat(`\`, slashes/2))
			odd := slashes%2 == 1
			slashes = 0
			switch {
			case odd:
				b.WriteByte('"')
			case quoted && i+1 < len(s) && s[i+1] == '"':
				b.WriteByte('"') // "" in a quoted part: a quote, and the part ends
				i++
				quoted = false
			default:
				quoted = !quoted
			}
			continue
		}
		b.WriteString(strings.Repeat(`\`, slashes))
		slashes = 0
		if (c == ' ' || c == '\t') && !quoted {
			return b.String(), s[i+1:]
		}
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	return b.String(), ""
}

// SplitCommand splits a whole Windows command line (an NSSM hook) into
// the program and its arguments. The program name follows simpler rules
// than the arguments: it ends at the first space or tab, or, when it
// starts with a double quote, at the next quote; backslashes in it are
// literal.
func SplitCommand(s string) []string {
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return nil
	}
	var prog string
	if s[0] == '"' {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return []string{s[1:]}
		}
		prog, s = s[1:1+end], s[2+end:]
	} else if i := strings.IndexAny(s, " \t"); i >= 0 {
		prog, s = s[:i], s[i+1:]
	} else {
		prog, s = s, ""
	}
	return append([]string{prog}, SplitArgs(s)...)
}
