package migrate

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden YAML files in testdata/migrate")

// fixtures is where the WinSW XML files and the golden YAML live.
const fixtures = "../../testdata/migrate"

// golden compares got with the file name in fixtures, or rewrites it
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(fixtures, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the import (go test -update rewrites it); the import:\n%s", name, got)
	}
}

// goldenDir is WinSW's %BASE% in the golden files: the YAML is written
// beside the XML, so %BASE% becomes ${BASE}.
const goldenDir = `C:\services\app`

// TestWinSWGolden imports every WinSW fixture and compares the YAML with
// its golden file: the whole mapping of each documented element, 2.x and
// 3.x spellings and every log mode, reviewed once and pinned.
func TestWinSWGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtures, "*.xml"))
	if err != nil || len(files) < 12 {
		t.Fatalf("found %d WinSW fixtures (%v)", len(files), err)
	}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".xml")
		t.Run(base, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s, err := WinSW(data, WinSWOptions{Dir: goldenDir, BaseName: base, ConfigDir: goldenDir})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, base+".yaml", Render(s, "Imported by wrapper import winsw "+base+".xml"))
		})
	}
}

// TestNSSMGolden imports nssmComplete, every parameter NSSM documents.
func TestNSSMGolden(t *testing.T) {
	s, err := NSSM(nssmComplete(), NSSMOptions{ConfigDir: `C:\wrapper`})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "nssm-complete.yaml", Render(s, "Imported by wrapper import nssm orders"))
}
