package scm

import "strings"

// WrapperService is an installed service that runs a wrapper, as `wrapper
// list` shows it.
type WrapperService struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	State       string `json:"state"`   // as sc.exe spells it: RUNNING, STOPPED, ...
	Program     string `json:"program"` // the wrapper executable the SCM starts
	// Config is the --config of its binary path, as written there; ""
	// when it has none (the wrapper then reads the YAML beside Program).
	Config string `json:"config"`
}

// configArg returns the --config value among a service's arguments, which
// the wrapper reads as serviceConfigFlag does: [run|service] then
// --config FILE, -config FILE or --config=FILE. "" when there is none.
func configArg(args []string) string {
	for i, a := range args {
		name, value, hasValue := strings.Cut(a, "=")
		if name != "--config" && name != "-config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
