//go:build !windows

package migrate

import "errors"

// ReadNSSM needs the Windows registry.
func ReadNSSM(string) (NSSMKeys, error) {
	return NSSMKeys{}, errors.New("reading an NSSM service needs Windows (its settings are in the registry)")
}
