package migrate

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// servicesKey is where the SCM keeps each service's settings, and NSSM its
// parameters (HKLM).
const servicesKey = `SYSTEM\CurrentControlSet\Services\`

// ReadNSSM reads the registry values of the installed NSSM service name:
// its service key, Parameters, Parameters\AppExit and the hooks under
// Parameters\AppEvents. Strings are read as stored: REG_EXPAND_SZ values
// keep their %VAR% references. A service that does not exist is reported
// with ErrNoService, one without NSSM's parameters with ErrNotNSSM.
func ReadNSSM(name string) (NSSMKeys, error) {
	k := NSSMKeys{Name: name, Events: map[string]Values{}}
	var err error
	if k.Service, err = readValues(servicesKey + name); errors.Is(err, registry.ErrNotExist) {
		return k, fmt.Errorf("service %s: %w", name, ErrNoService)
	} else if err != nil {
		return k, err
	}
	if k.Parameters, err = readValues(servicesKey + name + `\Parameters`); errors.Is(err, registry.ErrNotExist) {
		return k, fmt.Errorf("service %s: %w", name, ErrNotNSSM)
	} else if err != nil {
		return k, err
	}
	if k.Exit, err = readValues(servicesKey + name + `\Parameters\AppExit`); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return k, err
	}
	events, err := registry.OpenKey(registry.LOCAL_MACHINE, servicesKey+name+`\Parameters\AppEvents`, registry.ENUMERATE_SUB_KEYS)
	if errors.Is(err, registry.ErrNotExist) {
		return k, nil
	} else if err != nil {
		return k, fmt.Errorf("read AppEvents of %s: %w", name, err)
	}
	defer events.Close()
	subs, err := events.ReadSubKeyNames(-1)
	if err != nil {
		return k, fmt.Errorf("read AppEvents of %s: %w", name, err)
	}
	for _, sub := range subs {
		if k.Events[sub], err = readValues(servicesKey + name + `\Parameters\AppEvents\` + sub); err != nil {
			return k, err
		}
	}
	return k, nil
}

// readValues reads every value of the HKLM key path; the key's default
// value has the name "".
func readValues(path string) (Values, error) {
	key, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE)
	if err != nil {
		return nil, fmt.Errorf(`read HKLM\%s: %w`, path, err)
	}
	defer key.Close()
	names, err := key.ReadValueNames(-1)
	if err != nil {
		return nil, fmt.Errorf(`read HKLM\%s: %w`, path, err)
	}
	vals := Values{}
	for _, n := range names {
		var v Value
		_, typ, err := key.GetValue(n, nil)
		if err != nil && !errors.Is(err, registry.ErrShortBuffer) {
			return nil, fmt.Errorf(`read HKLM\%s\%s: %w`, path, n, err)
		}
		switch typ {
		case registry.SZ, registry.EXPAND_SZ:
			v.Kind = map[uint32]Kind{registry.SZ: String, registry.EXPAND_SZ: ExpandString}[typ]
			v.Str, _, err = key.GetStringValue(n)
		case registry.MULTI_SZ:
			v.Kind = MultiString
			v.Strs, _, err = key.GetStringsValue(n)
		case registry.DWORD, registry.QWORD:
			v.Kind = DWord
			v.Num, _, err = key.GetIntegerValue(n)
		default:
			v.Kind = Other
		}
		if err != nil {
			return nil, fmt.Errorf(`read HKLM\%s\%s: %w`, path, n, err)
		}
		vals[n] = v
	}
	return vals, nil
}
