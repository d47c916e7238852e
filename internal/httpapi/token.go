package httpapi

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
)

// LoadToken reads the token from the environment variable envName
// (through lookup) or from the file, whichever is set; both "" means no
// token (nil, nil). A token file that group or others may read is refused
// on Unix, as ssh refuses such a key. The token must be at least
// MinTokenLength bytes.
func LoadToken(envName, file string, lookup func(string) (string, bool)) ([]byte, error) {
	var tok []byte
	switch {
	case envName != "":
		v, ok := lookup(envName)
		if !ok || v == "" {
			return nil, fmt.Errorf("http.token_env: the variable %s is not set in the wrapper's environment", envName)
		}
		tok = bytes.TrimSpace([]byte(v))
	case file != "":
		fi, err := os.Stat(file)
		if err != nil {
			return nil, fmt.Errorf("http.token_file: %w", err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("http.token_file: %s is readable by other users (mode %04o): chmod 600 it", file, fi.Mode().Perm())
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("http.token_file: %w", err)
		}
		tok = bytes.TrimSpace(b)
	default:
		return nil, nil
	}
	if len(tok) < MinTokenLength {
		return nil, fmt.Errorf("the API token is %d bytes long; use at least %d (e.g. openssl rand -hex 32)", len(tok), MinTokenLength)
	}
	return tok, nil
}
