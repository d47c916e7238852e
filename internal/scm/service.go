package scm

import "time"

// Service is what the SCM's configuration of a wrapper service is made
// from: the YAML's values, resolved. Error messages name the YAML keys the
// fields come from.
type Service struct {
	Name        string // name: the service name
	DisplayName string // display_name
	Description string // description
	// StartMode is service.start_mode: auto, delayed-auto, manual or
	// disabled.
	StartMode    string
	Dependencies []string // service.dependencies: services to start first
	// Account is service.account as written (see ResolveAccount).
	Account string
	// Password is a user account's password; never from the YAML.
	Password string
	// Recovery are the SCM's actions after the wrapper fails;
	// RecoveryReset the failure-free time that resets them.
	Recovery      []RecoveryAction
	RecoveryReset time.Duration
	// SIDType is service.sid_type: none, unrestricted or restricted ("" is
	// unrestricted).
	SIDType string
	// Privileges are service.privileges: the only privileges the token
	// keeps; none leaves the account's.
	Privileges []string
	// PreshutdownTimeout is how long Windows waits for the service after
	// sending it PreShutdown at system shutdown (the stop budget). 0 keeps
	// Windows' default, which is shorter than a wrapper's own default stop.
	PreshutdownTimeout time.Duration
	LogDir             string   // log.dir: the account gets modify rights on it
	Exe                string   // the wrapper executable
	Args               []string // arguments in the binary path (--config FILE)
}

// StartName is the account the SCM runs the service as ("" is
// LocalSystem), and whether it needs a password.
func (s Service) StartName() (string, bool) {
	name, needsPassword := ResolveAccount(s.Account, s.Name)
	if name == "LocalSystem" { // "" is LocalSystem for CreateService
		name = ""
	}
	return name, needsPassword
}
