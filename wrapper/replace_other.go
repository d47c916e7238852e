//go:build !linux

package wrapper

import (
	"fmt"
	"os"
)

// statusSpare returns the temporary file replaceFile writes before renaming
// it over path.
func statusSpare(path string) string { return path + ".tmp" }

// replaceFile replaces the file at path with data through a temporary file
// and a rename, so a reader never sees half a file. (Linux swaps a kept
// spare in instead: see replace_linux.go.)
func replaceFile(path string, data []byte) error {
	tmp := statusSpare(path)
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
